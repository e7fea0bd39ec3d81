// Templates made of other templates: extends/block/super, import/from, call blocks, recursive loops.

/// One implementation of a block: the child's first, then each parent's.
struct BlockEntry {
    let node: BlockNode
    let source: SourceText
}

/// The block being rendered and which implementation of it, for `super()`.
struct BlockFrame {
    let name: String
    let chain: [BlockEntry]
    let level: Int
    /// Whether the block, where it is placed, is `scoped` (sees the loop variables around it).
    let scoped: Bool
}

/// The top level of an imported template: what its macros see when called from elsewhere.
final class ModuleScope: @unchecked Sendable {
    // Written once, right after the module has rendered and before its macros can escape.
    var vars: [String: Value] = [:]
    let context: OrderedMapping
    init(context: OrderedMapping) { self.context = context }
}

/// The call site of a `{% call %}` block, which its `caller()` body renders in.
struct CapturedScope: Sendable {
    let topLevel: [String: Value]
    let context: OrderedMapping
}

/// A `{% for ... recursive %}` loop in progress, for `loop(children)`.
struct RecursiveLoopFrame {
    static let key = "__recursive_loop__"
    let loop: ForLoop
    let depth: Int
}

/// The last values passed to `loop.changed(...)`.
final class ChangedState: @unchecked Sendable {
    // Only touched by the render that created it, which runs on one thread.
    private var last: [Value]? = nil
    func update(_ values: [Value]) throws -> Bool {
        if let last, try Value.list(last).equals(.list(values)) { return false }
        last = values
        return true
    }
}

extension Renderer {
    // MARK: - inheritance

    /// Renders a template and, when it extends another, the chain of parents it names.
    func renderTemplateTree(_ template: Template, _ out: inout String) throws {
        let saved = (blocks, blockStack, extendsTarget, suppressOutput, source, treeBase)
        blocks = [:]
        blockStack = []
        treeBase = frames.count - 1
        defer { (blocks, blockStack, extendsTarget, suppressOutput, source, treeBase) = saved }
        var current = template
        var levels = 0
        while true {
            registerBlocks(current.nodes, current.source)
            source = current.source
            extendsTarget = nil
            suppressOutput = false
            try renderNodes(current.nodes, &out)
            guard let parent = extendsTarget else { return }
            levels += 1
            if levels > limits.maxDepth {
                throw parent.source.error("extends chain longer than \(limits.maxDepth) templates (does a template extend itself?)",
                                          at: 0, kind: .limit)
            }
            current = parent
        }
    }

    func registerBlocks(_ nodes: [Node], _ source: SourceText) {
        for node in nodes {
            switch node {
            case .block(let b):
                blocks[b.name, default: []].append(BlockEntry(node: b, source: source))
                registerBlocks(b.body, source)
            case .ifBlock(let branches, let elseBody):
                for (_, body) in branches { registerBlocks(body, source) }
                if let elseBody { registerBlocks(elseBody, source) }
            case .forLoop(let loop):
                registerBlocks(loop.body, source)
                if let elseBody = loop.elseBody { registerBlocks(elseBody, source) }
            case .setBlock(_, let body, _, _), .filterBlock(_, _, _, let body, _), .with(_, let body, _):
                registerBlocks(body, source)
            case .macro(let m): registerBlocks(m.body, source)
            case .callBlock(let c): registerBlocks(c.body, source)
            default: break
            }
        }
    }

    func extendTemplate(_ e: Expr, at offset: Int) throws {
        if extendsTarget != nil {
            throw source.error("extended multiple times", at: offset, kind: .syntax)
        }
        extendsTarget = try loadTemplate(e, verb: "extend", at: offset)
        suppressOutput = true
    }

    func renderBlock(_ b: BlockNode, _ out: inout String) throws {
        let chain = blocks[b.name] ?? [BlockEntry(node: b, source: source)]
        try renderBlockLevel(BlockFrame(name: b.name, chain: chain, level: 0, scoped: b.scoped), &out)
    }

    func renderBlockLevel(_ frame: BlockFrame, _ out: inout String) throws {
        let entry = frame.chain[frame.level]
        if entry.node.required {
            throw entry.source.error("Required block '\(frame.name)' not found", at: entry.node.offset, kind: .undefined)
        }
        guard depth < limits.maxDepth else {
            throw source.error("blocks nested deeper than \(limits.maxDepth)", at: entry.node.offset, kind: .limit)
        }
        let savedFrames = frames, savedSource = source, savedSuppress = suppressOutput
        let kept = frame.scoped ? frames.count : treeBase + 1
        frames = Array(frames.prefix(kept)) + [[:]]
        blockStack.append(frame)
        depth += 1
        defer {
            // Keep `set ns.attr` changes made to the namespaces the block could see.
            var restored = savedFrames
            for i in 0..<min(kept, restored.count) { restored[i] = frames[i] }
            frames = restored
            source = savedSource
            suppressOutput = savedSuppress
            blockStack.removeLast()
            depth -= 1
        }
        source = entry.source
        suppressOutput = false
        try renderNodes(entry.node.body, &out)
    }

    /// `super()` inside a block: the next parent's implementation of it.
    func callSuper(at offset: Int) throws -> Value {
        guard let top = blockStack.last else { throw undefinedError("'super' is undefined", at: offset) }
        guard top.level + 1 < top.chain.count else {
            throw undefinedError("there is no parent block called '\(top.name)'.", at: offset)
        }
        var text = ""
        try renderBlockLevel(BlockFrame(name: top.name, chain: top.chain, level: top.level + 1, scoped: top.scoped), &text)
        return .string(text)
    }

    // MARK: - import

    /// Renders the template `e` names as a module and returns what it exports: its top-level
    /// macros and variables, except names starting with `_`.
    func importModule(_ e: Expr, withContext: Bool, at offset: Int) throws -> (name: String, exports: OrderedMapping) {
        guard let template = try loadTemplate(e, verb: "import", at: offset) else {
            throw source.error("cannot import", at: offset, kind: .include)
        }
        guard depth < limits.maxDepth else {
            throw source.error("imports nested deeper than \(limits.maxDepth)", at: offset, kind: .limit)
        }
        var moduleContext = OrderedMapping()
        if withContext {
            moduleContext = context
            for frame in frames { for (k, v) in frame.sorted(by: { $0.key < $1.key }) { moduleContext[k] = v } }
        }
        let module = ModuleScope(context: moduleContext)
        let saved = (frames, context, source, currentModule, missingImports)
        depth += 1
        detachedScopes += 1
        defer {
            (frames, context, source, currentModule, missingImports) = saved
            depth -= 1
            detachedScopes -= 1
        }
        frames = [[:]]
        context = moduleContext
        currentModule = module
        missingImports = [:]
        var discarded = ""
        try withSite(offset) { try renderTemplateTree(template, &discarded) }
        module.vars = frames[0]
        var exports = OrderedMapping()
        for (k, v) in frames[0].sorted(by: { $0.key < $1.key }) where !k.hasPrefix("_") { exports[k] = v }
        return (template.name, exports)
    }

    // MARK: - call blocks and recursive loops

    func renderCallBlock(_ cb: CallBlockNode, _ out: inout String) throws {
        var closure: [String: Value] = [:]
        for frame in frames.dropFirst() { closure.merge(frame) { _, new in new } }
        let caller = MacroDefinition(name: "caller", parameters: cb.parameters, body: cb.body, closure: closure,
                                     templateName: source.name, source: source, module: nil,
                                     captured: CapturedScope(topLevel: frames[0], context: context), special: cb.special)
        let f = try eval(cb.callee)
        let a = try cb.args.map { try eval($0) }
        var k = try cb.kwargs.map { ($0.0, try eval($0.1)) }
        k.append(("caller", .callable(NativeFunction(macro: caller))))
        out += try call(f, a, k, at: cb.offset).text()
        if out.utf8.count > limits.maxOutputBytes {
            throw source.error("output exceeds \(limits.maxOutputBytes) bytes", at: cb.offset, kind: .limit)
        }
    }

    /// `loop(children)` in a recursive loop: renders the loop body over `children` one level deeper.
    func callRecursiveLoop(_ id: Int, _ args: [Value], at offset: Int) throws -> Value {
        guard id >= 0, id < recursiveLoops.count else {
            throw source.error("'loop' is not callable outside its recursive loop", at: offset, kind: .type)
        }
        guard args.count == 1 else {
            throw source.error("loop() takes exactly one argument (the items to loop over), got \(args.count)", at: offset, kind: .type)
        }
        guard depth < limits.maxDepth else {
            throw source.error("recursive loop nested deeper than \(limits.maxDepth)", at: offset, kind: .limit)
        }
        let frame = recursiveLoops[id]
        depth += 1
        defer { depth -= 1 }
        var text = ""
        try renderLoopItems(frame.loop, args[0], depth: frame.depth + 1, &text)
        return .string(text)
    }
}
