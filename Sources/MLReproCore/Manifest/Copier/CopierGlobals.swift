import Foundation
import TemplateEngine

/// Globals copier gives every template: `pathjoin(*parts, mode='posix')` and the deprecated
/// `make_secret()` (still in copier 9.19).
enum CopierGlobals {
    static let pathjoin: (String, Value) = ("pathjoin", .callable(NativeFunction(name: "pathjoin") { args, kwargs in
        var mode = "posix"
        for (name, value) in kwargs {
            guard name == "mode" else { throw PathJoinError(message: "pathjoin() got an unexpected keyword argument '\(name)'") }
            guard case .string(let text) = value, ["posix", "windows", "native"].contains(text) else {
                throw PathJoinError(message: "pathjoin(): mode must be 'posix', 'windows' or 'native'")
            }
            mode = text
        }
        let parts = try args.map { argument -> String in
            guard case .string(let text) = argument else {
                throw PathJoinError(message: "pathjoin() takes str parts, not \(argument.pythonRepr)")
            }
            return text
        }
        return .string(mode == "windows" ? windowsPath(parts) : posixPath(parts))
    }))

    /// Python's `str(PurePosixPath(*parts))`: an absolute part starts over; empty and `.`
    /// components and repeated slashes go; exactly two leading slashes stay.
    static func posixPath(_ parts: [String]) -> String {
        var joined = ""
        for part in parts where !part.isEmpty {
            joined = part.hasPrefix("/") || joined.isEmpty ? part : joined + "/" + part
        }
        var root = ""
        if joined.hasPrefix("/") { root = joined.hasPrefix("//") && !joined.hasPrefix("///") ? "//" : "/" }
        let components = joined.split(separator: "/").filter { $0 != "." }
        let path = root + components.joined(separator: "/")
        return path.isEmpty ? "." : path
    }

    /// Python's `str(PureWindowsPath(*parts))` for drive-letter and relative paths: either slash
    /// separates, a rooted part starts over (keeping the drive), and backslashes join.
    static func windowsPath(_ parts: [String]) -> String {
        var drive = ""
        var rooted = false
        var components: [Substring] = []
        for part in parts where !part.isEmpty {
            var rest = Substring(part.replacingOccurrences(of: "/", with: "\\"))
            if rest.count >= 2, rest[rest.index(after: rest.startIndex)] == ":", rest.first?.isLetter == true {
                drive = String(rest.prefix(2))
                rest = rest.dropFirst(2)
                components = []
                rooted = false
            }
            if rest.hasPrefix("\\") { rooted = true; components = [] }
            components += rest.split(separator: "\\").filter { $0 != "." }
        }
        let path = drive + (rooted ? "\\" : "") + components.joined(separator: "\\")
        return path.isEmpty ? "." : path
    }

    /// `make_secret()`: 128 hex digits, the SHA-512 of 48 random bytes, as copier makes it.
    static let makeSecret: (String, Value) = ("make_secret", .callable(NativeFunction(name: "make_secret") { _, _ in
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(128)
        for _ in 0..<64 {
            let byte = UInt8.random(in: 0...255, using: &generator)
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xf)])
        }
        return .string(String(decoding: out, as: UTF8.self))
    }))
}

struct PathJoinError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
