import Foundation
import Yams

/// A key given twice in one YAML mapping, located at its repetition.
package struct YAMLDuplicateKey: Sendable, Equatable {
    package var key: String
    package var location: SourceLocation
}

extension YAMLValueReader {
    /// The most repeated keys one file may hold; each costs a parse of the file.
    static let maxDuplicateKeys = 100

    /// Parses every document like `parseAll`, except that a key repeated in one mapping is no
    /// error: its last value wins, in the place of its first occurrence, as PyYAML (and so copier)
    /// reads it. Returns the repeated keys too, for warnings.
    ///
    /// Yams refuses repeated keys, so each refusal renames the occurrence it names (a private-use
    /// prefix that no YAML author writes) and the file is parsed again; the renamed keys are then
    /// folded back into their last occurrence.
    package func parseAllLastKeyWins(_ text: String) throws -> (documents: [Node], duplicates: [YAMLDuplicateKey]) {
        if text.utf8.count > maxBytes || text.utf8.contains(0) {
            return (try parseAll(text), [])
        }
        try checkNesting(text)
        var current = text
        var renamed = 0
        while true {
            do {
                let documents = try Self.composeDocuments(current)
                if renamed == 0 { return (documents, []) }
                var duplicates: [YAMLDuplicateKey] = []
                var budget = maxValues
                let folded = try documents.map { try fold($0, duplicates: &duplicates, budget: &budget) }
                return (folded, duplicates)
            } catch let error as YamlError {
                guard case .duplicatedKeysInMapping(_, let context) = error, renamed < Self.maxDuplicateKeys,
                      let next = Self.renamingKey(at: context.mark, in: current, marker: Self.marker(renamed)) else {
                    throw translate(error, text: text)
                }
                current = next
                renamed += 1
            }
        }
    }

    private static let markerFence: Unicode.Scalar = "\u{F8FF}"

    private static func marker(_ number: Int) -> String { "\(markerFence)\(number)\(markerFence)" }

    /// `text` with `marker` put in front of the scalar key that starts at `mark` (1-based line and
    /// column, in Unicode scalars); nil when no plain or quoted key starts there.
    private static func renamingKey(at mark: Mark, in text: String, marker: String) -> String? {
        var scalars = Array(text.unicodeScalars)
        var line = 1
        var index = 0
        while line < mark.line, index < scalars.count {
            if scalars[index] == "\n" { line += 1 }
            index += 1
        }
        index += mark.column - 1
        guard line == mark.line, index >= 0, index < scalars.count else { return nil }
        switch scalars[index] {
        case "\"", "'": index += 1
        case "?", "&", "*", "!", "[", "{", "|", ">", "\n", " ", "\t": return nil
        default: break
        }
        scalars.insert(contentsOf: marker.unicodeScalars, at: index)
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars)
        return String(result)
    }

    /// The key without the renaming prefix, and whether it had one.
    private static func originalKey(_ key: String) -> (String, Bool) {
        let scalars = key.unicodeScalars
        guard scalars.first == markerFence, let end = scalars.dropFirst().firstIndex(of: markerFence) else { return (key, false) }
        return (String(scalars[scalars.index(after: end)...]), true)
    }

    /// `node` with renamed keys folded into their last occurrence (Python dict semantics).
    private func fold(_ node: Node, duplicates: inout [YAMLDuplicateKey], budget: inout Int) throws -> Node {
        budget -= 1
        if budget < 0 {
            throw YAMLValueError(location: location(node), message: "more than \(maxValues) values")
        }
        switch node {
        case .scalar: return node
        case .sequence(let sequence):
            var nodes: [Node] = []
            for item in sequence { nodes.append(try fold(item, duplicates: &duplicates, budget: &budget)) }
            return .sequence(.init(nodes, sequence.tag, sequence.style, sequence.mark, sequence.anchor))
        case .mapping(let mapping):
            var pairs: [(Node, Node)] = []
            var positions: [String: Int] = [:]
            for (key, value) in mapping {
                var key = key
                var name: String?
                if case .scalar(var scalar) = key {
                    let (original, wasRenamed) = Self.originalKey(scalar.string)
                    if wasRenamed { scalar.string = original; key = .scalar(scalar) }
                    name = original
                }
                let value = try fold(value, duplicates: &duplicates, budget: &budget)
                if let name, let position = positions[name] {
                    pairs[position].1 = value
                    duplicates.append(YAMLDuplicateKey(key: name, location: location(key)))
                } else {
                    if let name { positions[name] = pairs.count }
                    pairs.append((key, value))
                }
            }
            return .mapping(.init(pairs, mapping.tag, mapping.style, mapping.mark, mapping.anchor))
        case .alias: return node
        }
    }
}
