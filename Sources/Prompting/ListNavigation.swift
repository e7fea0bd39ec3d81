/// What a key press means for a list question once the state is updated.
public enum ListAction: Sendable, Equatable {
    case none, accept, toggleHelp, interrupt, endOfInput, suspend
}

extension ListState {
    /// Applies one key to a list of `count` choices. Pure, so every binding is tested directly.
    ///
    /// Up/Down and k/j move (wrapping), Home/End and g/G jump to the ends, PgUp/PgDn move a page,
    /// digits jump to a choice number (two digits in a row make 12), space toggles (multiselect),
    /// `a` selects all (or none when all are selected), `i` inverts, Enter accepts, `?` help.
    public mutating func apply(_ key: Key, count: Int, multiple: Bool, pageSize: Int) -> ListAction {
        var keepsNumber = false
        defer { if !keepsNumber { typedNumber = 0 } }
        switch key {
        case .interrupt: return .interrupt
        case .endOfInput: return .endOfInput
        case .suspend: return .suspend
        case .enter: return .accept
        default: break
        }
        guard count > 0 else { return key == .character("?") ? .toggleHelp : .none }
        switch key {
        case .up, .character("k"): cursor = (cursor - 1 + count) % count
        case .down, .character("j"), .tab: cursor = (cursor + 1) % count
        case .home, .character("g"): cursor = 0
        case .end, .character("G"): cursor = count - 1
        case .pageUp: cursor = max(cursor - max(pageSize, 1), 0)
        case .pageDown: cursor = min(cursor + max(pageSize, 1), count - 1)
        case .character("?"): return .toggleHelp
        case .character(" ") where multiple:
            if selected.contains(cursor) { selected.remove(cursor) } else { selected.insert(cursor) }
        case .character("a") where multiple:
            selected = selected.count == count ? [] : Set(0..<count)
        case .character("i") where multiple:
            selected = Set((0..<count).filter { !selected.contains($0) })
        case .character(let character):
            guard let digit = character.wholeNumberValue, character.isASCII else { return .none }
            jump(digit, count: count)
            keepsNumber = typedNumber > 0
        default:
            return .none
        }
        cursor = min(max(cursor, 0), count - 1)
        return .none
    }

    private mutating func jump(_ digit: Int, count: Int) {
        let combined = typedNumber * 10 + digit
        if typedNumber > 0, combined >= 1, combined <= count {
            cursor = combined - 1
            typedNumber = combined
        } else if digit >= 1, digit <= count {
            cursor = digit - 1
            typedNumber = digit
        } else {
            typedNumber = 0
        }
        if typedNumber * 10 > count { typedNumber = 0 }
    }
}
