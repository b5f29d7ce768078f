import Foundation

/// The progress line on stderr: documents, MB, MB/s, ETA and a bar; at most 10 redraws a
/// second, only after the first second, always erased before other output and at the end.
public final class ProgressLine: @unchecked Sendable {
  private let enabled: Bool
  private let start = Date()
  private var shown = false
  private var last = ""

  public init(enabled: Bool) { self.enabled = enabled }

  private var phase: String?
  private var phaseStart = Date()

  public func update(docs: Int, bytes: Int, total: Int, phase: String? = nil) {
    if phase != self.phase {
      self.phase = phase
      phaseStart = Date()
    }
    guard enabled, Date().timeIntervalSince(start) >= 1 else { return }
    // The rate and ETA of this pass (a two-pass run reads the corpus twice).
    let elapsed = Date().timeIntervalSince(phaseStart)
    let mb = Double(bytes) / 1e6
    let rate = mb / max(elapsed, 0.001)
    var text = String(format: "%d docs  %.1f MB  %.1f MB/s", docs, mb, rate)
    if total > 0 {
      let fraction = min(1, Double(bytes) / Double(total))
      let filled = Int(fraction * 20)
      let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: 20 - filled)
      let eta = rate > 0 ? (Double(total - bytes) / 1e6) / rate : 0
      text = "\(bar) \(Int(fraction * 100))%  " + text + String(format: "  ETA %.0f s", eta)
    }
    if let phase { text = phase + "  " + text }
    guard text != last else { return }
    Console.error("\r\u{1B}[2K" + text)
    last = text
    shown = true
  }

  public func clear() {
    guard shown else { return }
    Console.error("\r\u{1B}[2K")
    shown = false
    last = ""
  }
}
