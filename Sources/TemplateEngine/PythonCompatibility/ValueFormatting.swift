// Printing values exactly as Python's str() and repr() do.

extension Value {
    /// Python `str(value)`: what `{{ value }}` prints (the engine's own walks use `text()`,
    /// which a render's budget bounds).
    public var pythonString: String {
        switch self {
        case .string(let s), .markup(let s): return s
        case .undefined: return ""
        default: return pythonRepr
        }
    }

    /// Python `repr(value)`.
    public var pythonRepr: String {
        var out = ""
        // Without a meter and a limit only `ValueNesting.limit` stops it: the text ends there.
        try? appendRepr(to: &out, meter: nil, limit: .max)
        return out
    }
}

/// Python's repr of a str: single quotes unless the text holds ' and no ".
func pythonQuoted(_ s: String) -> String {
    let hasSingle = s.utf8.contains(UInt8(ascii: "'"))
    let hasDouble = s.utf8.contains(UInt8(ascii: "\""))
    let quote: Character = (hasSingle && !hasDouble) ? "\"" : "'"
    var out = String(quote)
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if Character(scalar) == quote {
                out += "\\"
                out.unicodeScalars.append(scalar)
            } else if isPythonPrintable(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                let v = scalar.value
                if v < 0x100 {
                    out += "\\x" + hex(v, width: 2)
                } else if v < 0x10000 {
                    out += "\\u" + hex(v, width: 4)
                } else {
                    out += "\\U" + hex(v, width: 8)
                }
            }
        }
    }
    out.append(quote)
    return out
}

private func hex(_ v: UInt32, width: Int) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, width - s.count)) + s
}

/// Approximation of Python's str.isprintable for one code point.
func isPythonPrintable(_ s: Unicode.Scalar) -> Bool {
    let v = s.value
    if v < 0x20 || v == 0x7F { return false }
    if v >= 0x80 && v < 0xA0 { return false }
    if v == 0xAD { return false }
    switch s.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator:
        return false
    case .spaceSeparator:
        return v == 0x20
    default:
        return true
    }
}

/// Python `repr(float)`: shortest round-trip digits, fixed notation for exponents in -4..<16.
func formatPythonFloat(_ d: Double) -> String {
    if d.isNaN { return "nan" }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
    // Swift's description gives the shortest round-trip digits; re-layout them.
    let text = "\(d.magnitude)"
    var digits: [UInt8] = []
    var pointPos: Int? = nil
    var exponent = 0
    var seenE = false
    var expText = ""
    for ch in text.utf8 {
        if seenE {
            expText.unicodeScalars.append(Unicode.Scalar(ch))
        } else if ch == UInt8(ascii: "e") || ch == UInt8(ascii: "E") {
            seenE = true
        } else if ch == UInt8(ascii: ".") {
            pointPos = digits.count
        } else {
            digits.append(ch)
        }
    }
    if seenE { exponent = Int(expText) ?? 0 }
    let intDigits = pointPos ?? digits.count
    // Normalise: strip leading zeros, track the decimal exponent of the first digit.
    var lead = 0
    while lead < digits.count - 1 && digits[lead] == UInt8(ascii: "0") { lead += 1 }
    var sig = Array(digits[lead...])
    var exp10 = intDigits - lead - 1 + exponent
    while sig.count > 1 && sig.last == UInt8(ascii: "0") { sig.removeLast() }
    if sig.isEmpty { sig = [UInt8(ascii: "0")]; exp10 = 0 }
    var out = d.sign == .minus ? "-" : ""
    let sigStr = String(decoding: sig, as: UTF8.self)
    if exp10 >= -4 && exp10 < 16 {
        if exp10 < 0 {
            out += "0." + String(repeating: "0", count: -exp10 - 1) + sigStr
        } else if sig.count <= exp10 + 1 {
            out += sigStr + String(repeating: "0", count: exp10 + 1 - sig.count) + ".0"
        } else {
            let cut = sigStr.index(sigStr.startIndex, offsetBy: exp10 + 1)
            out += sigStr[..<cut] + "." + sigStr[cut...]
        }
    } else {
        out += String(sigStr.prefix(1))
        if sig.count > 1 { out += "." + sigStr.dropFirst() }
        out += "e" + (exp10 < 0 ? "-" : "+")
        let e = String(abs(exp10))
        out += e.count < 2 ? "0" + e : e
    }
    return out
}
