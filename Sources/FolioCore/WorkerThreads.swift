import Foundation

/// Threads that each run a body once, and a wait for all of them: the runner's workers and
/// background jobs.
///
/// Folio's one mechanism for long-lived workers. A worker that owns a Lua VM must stay on its
/// thread (DESIGN.md §2.5) and needs a deep C stack for nested Lua calls, which Dispatch's
/// pool threads do not promise; loops over data with no VM use
/// `DispatchQueue.concurrentPerform`.
public final class WorkerThreads: @unchecked Sendable {
  private let condition = NSCondition()
  /// Threads still running; guarded by `condition`.
  private var running: Int

  /// Starts `count` threads running `body(i)`, each with a stack of `stackSize` bytes.
  public init(
    count: Int, stackSize: Int = 8 << 20, _ body: @escaping @Sendable (Int) -> Void
  ) {
    running = count
    for i in 0..<count {
      let thread = Thread { [self] in
        body(i)
        condition.lock()
        running -= 1
        condition.broadcast()
        condition.unlock()
      }
      thread.stackSize = stackSize
      thread.start()
    }
  }

  /// Whether every thread has finished.
  public var isFinished: Bool {
    condition.lock()
    defer { condition.unlock() }
    return running == 0
  }

  /// Waits until every thread has finished.
  public func join() {
    condition.lock()
    while running > 0 { condition.wait() }
    condition.unlock()
  }
}
