import CLuaShim

/// The host memory a VM's code made Folio hold: counters, spans, metadata.
///
/// It is charged to the VM's memory limit beside Lua's own heap (DESIGN.md §3: the budget
/// counts what a plugin makes the host hold). Lua's allocator refuses growth past the limit counting both, and a host
/// function that would pass it raises Lua's own `not enough memory`.
final class HostLedger {
  private var state: UnsafeMutablePointer<FolioVMState>?

  init(_ state: UnsafeMutablePointer<FolioVMState>) { self.state = state }

  /// The VM closed: accounts that outlive it charge nothing.
  func close() { state = nil }

  func add(_ delta: Int, document: Bool = false) {
    guard let state, delta != 0 else { return }
    folio_host_bytes(state, delta, document ? 1 : 0)
  }
}

/// What one host object (a counter) holds for a VM; given back when the object goes.
public final class HostAccount {
  private let ledger: HostLedger
  /// The bytes charged now.
  public private(set) var bytes = 0

  init(_ ledger: HostLedger) { self.ledger = ledger }

  /// Charges the difference to `bytes`.
  public func settle(_ bytes: Int) {
    ledger.add(bytes - self.bytes)
    self.bytes = bytes
  }

  deinit { ledger.add(-bytes) }
}

extension LuaState {
  /// A new account on this VM's memory budget.
  public func hostAccount() -> HostAccount { HostAccount(vm.ledger) }

  /// Throws Lua's memory error unless `bytes` more fit under the VM's memory limit.
  public func reserveHost(_ bytes: Int) throws(LuaHostError) {
    if folio_host_room(L, max(0, bytes)) == 0 { throw .noMemory }
  }

  /// Charges `bytes` held for the open document (spans, metadata) to the VM's budget, given
  /// back when the document closes; Lua's memory error when they do not fit.
  public func chargeDocument(_ bytes: Int) throws(LuaHostError) {
    try reserveHost(bytes)
    vm.ledger.add(bytes, document: true)
  }
}
