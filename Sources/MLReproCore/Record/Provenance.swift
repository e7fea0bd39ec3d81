import Foundation
import Synchronization
import TemplateEngine

/// The `.mlrepro/` record of how a project was made.
package enum Provenance {
    package static let answersPath = ".mlrepro/answers.yml"
    package static let checksumsPath = ".mlrepro/checksums"
    package static let environmentPath = ".mlrepro/environment.json"

    /// `answers.yml`: `_template`, `_commit`, `_mlrepro_version`, then the recorded answers in
    /// question order. It is a valid `--answers` file.
    package static func answersText(template: String, commit: String, answers: OrderedMapping,
                                   layout: RecordLayout = .standard) -> String {
        var text = "# How this project was generated. Reproduce it with:\n"
        text += "#   mlrepro init DEST --template \(template) --answers \(layout.answersPath)\n"
        text += "_template: \(YAMLText.scalar(.string(template)))\n"
        text += "_commit: \(YAMLText.scalar(.string(commit)))\n"
        text += "_mlrepro_version: \(YAMLText.scalar(.string(MLReproVersion.current)))\n"
        for (key, value) in answers.pairs {
            text += YAMLText.entry(key: key, value: value, indent: 0)
        }
        return text
    }

    /// `checksums` in `sha256sum` format, sorted by path (names with `\` or a newline are
    /// escaped the way GNU sha256sum escapes them). `digests` gives files hashed elsewhere
    /// (large copies, hashed in chunks).
    package static func checksumsText(_ files: [(path: String, bytes: [UInt8])],
                                     digests streamed: [(path: String, digest: String)] = []) -> String {
        let computed = ResultDigests(files.map(\.bytes))
        let hex = computed.hex + streamed.map(\.digest)
        var lines: [(String, String)] = []
        for (index, path) in (files.map(\.path) + streamed.map(\.path)).enumerated() {
            let needsEscape = path.contains("\\") || path.contains("\n")
            let name = needsEscape
                ? path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
                : path
            lines.append((path, (needsEscape ? "\\" : "") + hex[index] + "  " + name + "\n"))
        }
        return lines.sorted { $0.0 < $1.0 }.map(\.1).joined()
    }
}

/// SHA-256 of many byte arrays on all cores.
struct ResultDigests {
    let hex: [String]

    init(_ contents: [[UInt8]]) {
        let slots = DigestSlots(count: contents.count)
        DispatchQueue.concurrentPerform(iterations: contents.count) { index in
            slots.set(index, SHA256.hex(contents[index]))
        }
        hex = slots.values
    }
}

/// Per-index digests written from concurrent workers.
final class DigestSlots: Sendable {
    private let slots: Mutex<[String]>
    init(count: Int) { slots = Mutex(Array(repeating: "", count: count)) }
    func set(_ index: Int, _ value: String) { slots.withLock { $0[index] = value } }
    var values: [String] { slots.withLock { $0 } }
}

/// Deterministic block-style YAML for recorded answers.
enum YAMLText {
    static let reserved: Set<String> = [
        "y", "yes", "n", "no", "true", "false", "on", "off", "null", "~", ".inf", "-.inf", ".nan",
    ]

    static func entry(key: String, value: Value, indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        let keyText = plainSafe(key) ? key : JSONText.quote(key)
        switch value {
        case .list(let items) where !items.isEmpty:
            return "\(pad)\(keyText):\n" + items.map { item(value: $0, indent: indent + 2) }.joined()
        case .dict(let mapping) where mapping.count > 0:
            return "\(pad)\(keyText):\n" + mapping.pairs.map { entry(key: $0.key, value: $0.value, indent: indent + 2) }.joined()
        default:
            return "\(pad)\(keyText): \(scalar(value))\n"
        }
    }

    /// A list item; nested containers are written in flow (JSON) style.
    static func item(value: Value, indent: Int) -> String {
        String(repeating: " ", count: indent) + "- " + scalar(value) + "\n"
    }

    static func scalar(_ value: Value) -> String {
        switch value {
        case .none: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .float(let number):
            if number.isNaN { return ".nan" }
            if number.isInfinite { return number < 0 ? "-.inf" : ".inf" }
            return AnswerCast.pythonFloat(number)
        case .string(let string), .markup(let string): return plainSafe(string) ? string : JSONText.quote(string)
        case .list, .dict: return JSONText.encode(value)
        case .callable, .undefined: return "null"
        }
    }

    /// True when the string reads back as the same string without quotes.
    static func plainSafe(_ string: String) -> Bool {
        guard let first = string.unicodeScalars.first, let last = string.unicodeScalars.last else { return false }
        if reserved.contains(string.lowercased()) { return false }
        if Double(string) != nil || Int(string) != nil { return false }
        if string.hasPrefix("0x") || string.hasPrefix("0o") || string.contains(":") && string.first?.isNumber == true { return false }
        if !(first.properties.isAlphabetic || first == "_" || first == "/" || first == ".") { return false }
        if last == " " { return false }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-./ @+"))
        return string.unicodeScalars.allSatisfy { allowed.contains($0) && $0.isASCII }
            && !string.contains(" #") && !string.hasSuffix(":")
    }
}
