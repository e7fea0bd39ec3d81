// Filters of jinja2-ansible-filters (loaded by copier) that Jinja2 lacks: ternary, combine, mandatory,
// path splitting, comment, strftime, regex_escape, flatten, extract, type_debug.
import Foundation

extension FilterRegistry {
    static let ansible = table([
        "ternary": 3, "combine": nil, "mandatory": 1, "splitext": 0, "win_basename": 0, "win_dirname": 0,
        "win_splitdrive": 0, "comment": 1, "strftime": 1, "regex_escape": 1, "flatten": 1, "extract": 2,
        "type_debug": 0, "shuffle": 1, "ans_random": 3, "to_uuid": 0, "md5": 0, "sha1": 0, "checksum": 0,
        "random": 0,  // Jinja2's own (jinja2-ansible-filters registers its seeded one as ans_random)
        "dict2items": 2, "items2dict": 2,  // ansible-core's; jinja2-ansible-filters 1.3.2 lacks them
    ]) { try $0.ansibleFilter($1, $2, $3) }
}

extension Renderer {
    func ansibleFilter(_ name: String, _ value: Value, _ a: FilterArgs) throws -> Value {
        switch name {
        case "ternary":
            guard let yes = a.get(0, "true_val"), let no = a.get(1, "false_val") else {
                throw EvalError("ternary() missing required arguments: 'true_val' and 'false_val'")
            }
            if value == .none, let none = a.get(2, "none_val"), none != .none { return none }
            return value.isTruthy ? yes : no
        case "combine": return try combineFilter(value, a)
        case "mandatory": return value  // an undefined value never gets here: see Evaluator
        case "splitext":
            let (root, ext) = splitExtension(try value.text())
            return .list([.string(root), .string(ext)])
        case "win_basename": return .string(windowsSplit(try value.text()).tail)
        case "win_dirname": return .string(windowsSplit(try value.text()).head)
        case "win_splitdrive":
            let (drive, rest) = windowsSplitDrive(try value.text())
            return .list([.string(drive), .string(rest)])
        case "comment": return .string(try commentFilter(value.text(), a))
        case "strftime":
            let format = try value.text()
            var seconds = environment.clock.now()
            if let second = a.get(0, "second"), second != .none {
                switch second {
                case .int(let i): seconds = Double(i)
                case .float(let d) where d.isFinite: seconds = d.rounded(.towardZero)
                case .bool(let b): seconds = b ? 1 : 0
                case .string(let s):
                    guard let i = Int(pythonStrip(s, chars: nil)) else { throw EvalError("Invalid value for epoch value (\(s))", .value) }
                    seconds = Double(i)
                default: throw EvalError("Invalid value for epoch value (\(try second.text()))", .value)
                }
            }
            // time.localtime() keeps whole seconds.
            return .string(try pythonStrftime(format, seconds: seconds.rounded(.down), zone: environment.clock.localTimeZone,
                                              pythonDirectives: false))
        case "regex_escape":
            let kind = try a.string(0, "re_type", "python") ?? "python"
            let special: Set<Unicode.Scalar>
            switch kind {
            case "python": special = Set("()[]{}?*+-|^$\\.&~# \t\n\r\u{0B}\u{0C}".unicodeScalars)
            case "posix_basic": special = Set("].[^$*\\".unicodeScalars)
            default: throw EvalError("Regex type (\(kind)) not yet implemented", .value)
            }
            let text = try value.text()
            guard text.utf8.count * 2 <= limits.maxOutputBytes else {
                throw EvalError("regex_escape: the result would exceed \(limits.maxOutputBytes) bytes", .limit)
            }
            var out = ""
            for c in text.unicodeScalars {
                if special.contains(c) { out += "\\" }
                out.unicodeScalars.append(c)
            }
            return .string(out)
        case "flatten":
            let levels = a.get(0, "levels")
            guard levels == nil || levels == Value.none || levels!.isInteger else { throw EvalError("flatten: levels must be an integer") }
            return .list(try flatten(try iterate(value), levels: levels.flatMap { $0 == .none ? nil : $0.intValue }))
        case "extract":
            guard let container = a.get(0, "container") else { throw EvalError("extract() missing required argument: 'container'") }
            var result = try getItem(container, value)
            if let more = a.get(1, "morekeys"), more != .none {
                let keys: [Value]
                if case .list(let l) = more { keys = l } else { keys = [more] }
                for k in keys {
                    guard let current = result else { break }
                    result = try getItem(current, k)
                }
            }
            guard let result else { throw EvalError("extract: \(try value.reprText()) is not in the container", .undefined) }
            return result
        case "type_debug":
            switch value {
            case .callable(let f): return .string(f.macro != nil ? "Macro" : "function")
            default: return .string(value.typeName)
            }
        case "shuffle":
            guard var items = try? iterate(value) else { return value }
            if let seed = a.get(0, "seed"), seed.isTruthy {
                var random = try pythonRandom(seed)
                random.shuffle(&items)
            } else {
                items.shuffle()
            }
            return .list(items)
        case "ans_random": return try ansibleRandom(value, a)
        case "dict2items":
            guard case .dict(let d) = value else {
                throw EvalError("dict2items requires a dictionary, got \(value.typeName) instead.")
            }
            let keyName = a.get(0, "key_name") ?? "key", valueName = a.get(1, "value_name") ?? "value"
            guard case .string(let k) = keyName, case .string(let v) = valueName else {
                throw EvalError("dict2items: key_name and value_name must be strings")
            }
            return .list(d.pairs.map { .dict(OrderedMapping([(k, .string($0.key)), (v, $0.value)])) })
        case "items2dict":
            guard case .list(let items) = value else {
                throw EvalError("items2dict requires a list, got \(value.typeName) instead.")
            }
            let keyName = a.get(0, "key_name") ?? "key", valueName = a.get(1, "value_name") ?? "value"
            guard case .string(let k) = keyName, case .string(let v) = valueName else {
                throw EvalError("items2dict: key_name and value_name must be strings")
            }
            var out = OrderedMapping()
            for item in items {
                guard case .dict(let m) = item else {
                    throw EvalError("items2dict requires a list of dictionaries, got \(item.typeName) instead.")
                }
                guard let key = m[k], let val = m[v] else {
                    throw EvalError("items2dict: an item has no '\(m[k] == nil ? k : v)' key", .value)
                }
                guard case .string(let ks) = key else { throw EvalError("items2dict: keys must be strings here, got \(key.typeName)") }
                out[ks] = val
            }
            return .dict(out)
        case "random":
            let items = try iterate(value)
            guard let item = items.randomElement() else { throw EvalError("No random item, sequence was empty.", .undefined) }
            return item
        case "to_uuid":
            // uuid.uuid5(ansible's namespace, str(value))
            let namespace: [UInt8] = [0x20, 0x85, 0x1c, 0x88, 0xac, 0x15, 0x44, 0x9f,
                                      0x9e, 0xe7, 0x74, 0x82, 0x91, 0x05, 0xda, 0x86]
            var b = Array(Digest.sha1(namespace + Array(try value.text().utf8)).prefix(16))
            b[6] = (b[6] & 0x0f) | 0x50
            b[8] = (b[8] & 0x3f) | 0x80
            let h = Digest.hex(b)
            let cut = [8, 12, 16, 20].map { h.index(h.startIndex, offsetBy: $0) }
            return .string([h[..<cut[0]], h[cut[0]..<cut[1]], h[cut[1]..<cut[2]], h[cut[2]..<cut[3]], h[cut[3]...]]
                .joined(separator: "-"))
        case "md5": return .string(Digest.hex(Digest.md5(Array(try value.text().utf8))))
        case "sha1", "checksum": return .string(Digest.hex(Digest.sha1(Array(try value.text().utf8))))
        default:
            throw EvalError(unknown: .filter(name))
        }
    }

    /// `random.Random(seed)` for the int and str seeds the ansible filters are given.
    func pythonRandom(_ seed: Value) throws -> PythonRandom {
        switch seed {
        case .int(let i): return PythonRandom(seed: i)
        case .bool(let b): return PythonRandom(seed: b ? 1 : 0)
        case .string(let s): return PythonRandom(seed: s)
        default: throw EvalError("seed must be an int or a string, not \(seed.typeName)")
        }
    }

    /// ansible's `random`: an int below the value (with start/step), or one item of a sequence.
    func ansibleRandom(_ value: Value, _ a: FilterArgs) throws -> Value {
        let start = a.get(0, "start"), step = a.get(1, "step"), seed = a.get(2, "seed")
        var generator: PythonRandom? = nil
        if let seed, seed != .none { generator = try pythonRandom(seed) }
        func below(_ n: Int) -> Int {
            if generator != nil { return generator!.below(n) }
            return Int.random(in: 0..<n)
        }
        switch value {
        case .int, .bool:
            let startValue = start.map { $0.isTruthy ? $0 : .int(0) } ?? .int(0)
            let stepValue = step.map { $0.isTruthy ? $0 : .int(1) } ?? .int(1)
            guard startValue.isInteger, stepValue.isInteger else { throw EvalError("start and step must be integers") }
            var g = generator ?? PythonRandom(seed: Int.random(in: 0...Int.max))
            return .int(try g.randrange(startValue.intValue, value.intValue, stepValue.intValue))
        case .list, .string:
            if start?.isTruthy == true || step?.isTruthy == true {
                throw EvalError("start and step can only be used with integer values", .value)
            }
            let items = try iterate(value)
            guard !items.isEmpty else { throw EvalError("Cannot choose from an empty sequence", .value) }
            return items[below(items.count)]
        default:
            throw EvalError("random can only be used on sequences and integers", .value)
        }
    }

    // MARK: - combine

    func combineFilter(_ value: Value, _ a: FilterArgs) throws -> Value {
        var recursive = false
        var listMerge = "replace"
        for (k, v) in a.kwargs {
            switch k {
            case "recursive": recursive = v.isTruthy
            case "list_merge":
                guard case .string(let s) = v else { throw EvalError("list_merge must be a string", .value) }
                listMerge = s
            default: throw EvalError("'recursive' and 'list_merge' are the only valid keyword arguments")
            }
        }
        let dictionaries = try flatten([value] + a.args, levels: 1)
        guard let last = dictionaries.last else { return .dict(OrderedMapping()) }
        if dictionaries.count == 1 { return last }
        var result = last
        for d in dictionaries.dropLast().reversed() {
            result = try mergeHash(d, result, recursive: recursive, listMerge: listMerge)
        }
        return result
    }

    func mergeHash(_ x: Value, _ y: Value, recursive: Bool, listMerge: String) throws -> Value {
        guard ["replace", "keep", "append", "prepend", "append_rp", "prepend_rp"].contains(listMerge) else {
            throw EvalError("merge_hash: 'list_merge' argument can only be equal to 'replace', 'keep', 'append', 'prepend', 'append_rp' or 'prepend_rp'", .value)
        }
        guard case .dict(var xm) = x, case .dict(let ym) = y else {
            throw EvalError("failed to combine variables, expected dicts but got a '\(x.typeName)' and a '\(y.typeName)'", .value)
        }
        if try xm.count == 0 || x.equals(y) { return y }
        try meter.visit(ym.count)
        try ValueNesting.enter()
        defer { ValueNesting.leave() }
        for (key, yv) in ym.pairs {
            guard let xv = xm[key] else { xm[key] = yv; continue }
            switch (xv, yv) {
            case (.dict, .dict):
                xm[key] = recursive ? try mergeHash(xv, yv, recursive: recursive, listMerge: listMerge) : yv
            case (.list(let xl), .list(let yl)):
                switch listMerge {
                case "replace": xm[key] = yv
                case "append": xm[key] = .list(xl + yl)
                case "prepend": xm[key] = .list(yl + xl)
                case "append_rp": xm[key] = .list(try xl.filter { try !yl.containsValue($0) } + yl)
                case "prepend_rp": xm[key] = .list(yl + (try xl.filter { try !yl.containsValue($0) }))
                default: break  // keep
                }
            default: xm[key] = yv
            }
        }
        return .dict(xm)
    }

    /// ansible's flatten: lists are spliced `levels` deep; a None (or 'None'/'null') ends the list.
    func flatten(_ items: [Value], levels: Int?) throws -> [Value] {
        var out: [Value] = []
        try meter.visit(items.count + 1)
        try ValueNesting.enter()
        defer { ValueNesting.leave() }
        for element in items {
            if element == .none || element == .string("None") || element == .string("null") { break }
            if case .list(let inner) = element {
                if let levels {
                    if levels >= 1 { out += try flatten(inner, levels: levels - 1) } else { out.append(element) }
                } else {
                    out += try flatten(inner, levels: nil)
                }
            } else {
                out.append(element)
            }
            if out.count > limits.maxRange { throw EvalError("flatten: more than \(limits.maxRange) items", .limit) }
        }
        return out
    }

    // MARK: - comment

    func commentFilter(_ text: String, _ a: FilterArgs) throws -> String {
        let style = try a.string(0, "style", "plain") ?? "plain"
        let styles: [String: [String: String]] = [
            "plain": ["decoration": "# "], "erlang": ["decoration": "% "], "c": ["decoration": "// "],
            "cblock": ["beginning": "/*", "decoration": " * ", "end": " */"],
            "xml": ["beginning": "<!--", "decoration": " - ", "end": "-->"],
        ]
        guard let styleParams = styles[style] else { throw EvalError("comment: unknown style '\(style)'", .value) }
        var kw: [String: Value] = [:]
        for (k, v) in a.kwargs where k != "style" { kw[k] = v }
        let prepostfix = try kw["decoration"]?.text() ?? styleParams["decoration"] ?? ""
        let trimmed = pythonStrip(prepostfix, chars: nil, left: false)
        var p: [String: Value] = [
            "newline": "\n", "beginning": "", "prefix": .string(trimmed), "prefix_count": 1, "decoration": "",
            "postfix": .string(trimmed), "postfix_count": 1, "end": "",
        ]
        for (k, v) in styleParams { p[k] = .string(v) }
        for (k, v) in kw { p[k] = v }
        func str(_ k: String) throws -> String { try p[k]?.text() ?? "" }
        func count(_ k: String) throws -> Int {
            guard let v = p[k] else { return 0 }
            if v.isInteger { return max(0, v.intValue) }
            if case .string(let s) = v, let i = Int(pythonStrip(s, chars: nil)) { return max(0, i) }
            throw EvalError("comment: \(k) must be an integer", .value)
        }
        let newline = try str("newline"), decoration = try str("decoration")
        let prefix = try str("prefix"), postfix = try str("postfix")
        let prefixCount = try count("prefix_count"), postfixCount = try count("postfix_count")
        guard prefixCount <= limits.maxOutputBytes, postfixCount <= limits.maxOutputBytes,
              text.utf8.count <= limits.maxOutputBytes, decoration.utf8.count + newline.utf8.count <= limits.maxOutputBytes,
              prefix.utf8.count + postfix.utf8.count <= limits.maxOutputBytes else {
            throw EvalError("comment: the result would exceed \(limits.maxOutputBytes) bytes", .limit)
        }
        let estimate = (text.utf8.count + 1) * (decoration.utf8.count + newline.utf8.count + 1)
            + (prefixCount + postfixCount) * (prefix.utf8.count + postfix.utf8.count + newline.utf8.count)
        guard estimate <= limits.maxOutputBytes else {
            throw EvalError("comment: the result would exceed \(limits.maxOutputBytes) bytes", .limit)
        }
        var out = ""
        if p["beginning"]?.isTruthy == true { out += try str("beginning") + newline }
        if p["prefix"]?.isTruthy == true {
            let unit = prefix != newline ? prefix + newline : newline
            out += String(repeating: unit, count: prefixCount)
        }
        let decorated = try decoration + pythonReplace(text, newline, newline + decoration, count: -1)
        out += try pythonReplace(decorated, decoration + newline, pythonStrip(decoration, chars: nil, left: false) + newline, count: -1)
        out += ([""] + Array(repeating: postfix, count: postfixCount)).joined(separator: newline)
        if p["end"]?.isTruthy == true { out += try newline + str("end") }
        return out
    }

    // MARK: - paths (Python's posixpath.splitext and ntpath)

    func splitExtension(_ p: String) -> (String, String) {
        let s = Array(p.unicodeScalars)
        let sep = s.lastIndex(of: "/") ?? -1
        guard let dot = s.lastIndex(of: "."), dot > sep else { return (p, "") }
        var i = sep + 1
        while i < dot {
            if s[i] != "." { return (String(String.UnicodeScalarView(s[..<dot])), String(String.UnicodeScalarView(s[dot...]))) }
            i += 1
        }
        return (p, "")
    }

    func windowsSplitDrive(_ p: String) -> (String, String) {
        let s = Array(p.unicodeScalars)
        func text(_ r: Range<Int>) -> String { String(String.UnicodeScalarView(s[r])) }
        guard s.count >= 2 else { return ("", p) }
        let n = s.map { $0 == "/" ? "\\" : $0 }
        if n[0] == "\\" && n[1] == "\\" {
            let prefix = String(String.UnicodeScalarView(n.prefix(8))).uppercased()
            let start = prefix == "\\\\?\\UNC\\" ? 8 : 2
            guard let index = n[min(start, n.count)...].firstIndex(of: "\\") else { return (p, "") }
            guard let index2 = n[(index + 1)...].firstIndex(of: "\\") else { return (p, "") }
            return (text(0..<index2), text(index2..<s.count))
        }
        if n[1] == ":" { return (text(0..<2), text(2..<s.count)) }
        return ("", p)
    }

    func windowsSplit(_ p: String) -> (head: String, tail: String) {
        let (drive, rest) = windowsSplitDrive(p)
        let s = Array(rest.unicodeScalars)
        var i = s.count
        while i > 0 && s[i - 1] != "/" && s[i - 1] != "\\" { i -= 1 }
        var head = Array(s[..<i])
        let tail = String(String.UnicodeScalarView(s[i...]))
        let full = head
        while let last = head.last, last == "/" || last == "\\" { head.removeLast() }
        if head.isEmpty { head = full }
        return (drive + String(String.UnicodeScalarView(head)), tail)
    }
}
