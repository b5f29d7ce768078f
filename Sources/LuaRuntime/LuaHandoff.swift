import Synchronization

/// Host objects handed from one VM to another of the same process along with a copied value,
/// instead of copied into its bytes.
///
/// A report state goes from a worker's VM to the merging VM as plain data (`LuaData`). A
/// large host object in it (a counter of millions of keys) would be encoded, copied four times
/// and decoded. Handed off, it is moved out of its userdata (which stays valid and empty) into
/// this handoff, and the value carries a ticket (an unguessable number) instead; the receiving
/// side takes the object by its ticket, once, with no copy. What is never taken is released
/// with the handoff. Tickets mean nothing in another process: state files get bytes.
public final class LuaHandoff: Sendable, Equatable {
  private static let objects = Mutex<[UInt64: ObjectBox]>([:])
  private let handed = Mutex<Handed>(Handed())

  private struct Handed {
    var tickets: [UInt64] = []
    /// The ticket of each userdata handed already (one object appearing twice in a state
    /// travels once).
    var byUserdata: [UInt: UInt64] = [:]
  }

  /// An object moved between threads: once handed, only its taker uses it.
  private final class ObjectBox: @unchecked Sendable {
    let object: AnyObject
    init(_ object: AnyObject) { self.object = object }
  }

  public init() {}

  deinit {
    let tickets = handed.withLock { $0.tickets }
    Self.objects.withLock { objects in
      for t in tickets { objects[t] = nil }
    }
  }

  public static func == (a: LuaHandoff, b: LuaHandoff) -> Bool { a === b }

  /// The ticket of the userdata at address `userdata` when it was handed already.
  public func ticket(for userdata: UnsafeRawPointer) -> UInt64? {
    handed.withLock { $0.byUserdata[UInt(bitPattern: userdata)] }
  }

  /// Keeps `object` (moved out of the userdata at `userdata`) until it is taken; returns its
  /// ticket.
  public func hand(_ object: AnyObject, from userdata: UnsafeRawPointer) -> UInt64 {
    var generator = SystemRandomNumberGenerator()
    let box = ObjectBox(object)
    let ticket = Self.objects.withLock { objects in
      var t: UInt64
      repeat { t = generator.next() } while t == 0 || objects[t] != nil
      objects[t] = box
      return t
    }
    handed.withLock {
      $0.tickets.append(ticket)
      $0.byUserdata[UInt(bitPattern: userdata)] = ticket
    }
    return ticket
  }

  /// The object handed with `ticket`, which no one took yet (it is then no longer there).
  public static func take(_ ticket: UInt64) -> AnyObject? {
    objects.withLock { $0.removeValue(forKey: ticket) }?.object
  }
}
