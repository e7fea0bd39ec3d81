import Dispatch
import Foundation
import TemplateEngine

/// Renders (or copies) the planned files on all cores; each template file is compiled once.
public struct FileRenderer: Sendable {
    public var tree: TemplateTree
    public var environment: TemplateEnvironment

    public init(tree: TemplateTree, environment: TemplateEnvironment) {
        self.tree = tree
        self.environment = environment
    }

    /// Contents of each item in `items` (same order); directories give empty contents.
    public func contents(of items: [PlannedItem], context: OrderedMapping) throws -> [[UInt8]] {
        let results = ResultSlots(count: items.count)
        let tree = self.tree
        let environment = self.environment
        DispatchQueue.concurrentPerform(iterations: items.count) { index in
            let item = items[index]
            do {
                guard let entry = tree.entry(at: item.source), !entry.isDirectory || item.kind == .directory else {
                    throw GenerationError.unreadable(tree.displayPath(item.source), "missing from the template")
                }
                switch item.kind {
                case .directory: results.set(index, .success([]))
                case .copy: results.set(index, .success(entry.bytes))
                case .render:
                    guard let source = String(validating: entry.bytes, as: UTF8.self) else {
                        throw GenerationError.renderFailed("\(tree.displayPath(item.source)):1:1: error: template file is not valid UTF-8 (give it no '\(".jinja")' suffix to copy it as is)")
                    }
                    let template = try environment.compile(source, name: tree.displayPath(item.source))
                    let text = try template.render(context)
                    results.set(index, .success(Array(text.utf8)))
                }
            } catch let error as TemplateError {
                results.set(index, .failure(GenerationError.renderFailed(error.description)))
            } catch let error as GenerationError {
                results.set(index, .failure(error))
            } catch {
                results.set(index, .failure(GenerationError.renderFailed("\(tree.displayPath(item.source)): error: \(error)")))
            }
        }
        return try results.values()
    }
}

/// Per-index result storage written from concurrent workers (each index exactly once).
final class ResultSlots: @unchecked Sendable {
    private var slots: [Result<[UInt8], GenerationError>?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<[UInt8], GenerationError>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    /// The contents in order, or the error of the first failing item (deterministic).
    func values() throws -> [[UInt8]] {
        lock.lock()
        defer { lock.unlock() }
        var out: [[UInt8]] = []
        out.reserveCapacity(slots.count)
        for slot in slots {
            switch slot {
            case .success(let bytes): out.append(bytes)
            case .failure(let error): throw error
            case nil: throw GenerationError.renderFailed("internal error: a file was not rendered")
            }
        }
        return out
    }
}
