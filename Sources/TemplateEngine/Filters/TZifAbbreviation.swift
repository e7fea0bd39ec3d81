// Time zone abbreviations read from the tz database the way Python's dateutil reads them
// (arrow, and so jinja2-time, names zones through dateutil).
import Foundation

enum TZifAbbreviation {
    /// The abbreviation dateutil's `tzfile` gives `identifier` at `seconds` since the epoch, from the
    /// version-1 block of /usr/share/zoneinfo/<identifier>; nil when the file is absent or malformed.
    static func lookup(_ identifier: String, at seconds: Int) -> String? {
        guard !identifier.isEmpty, !identifier.hasPrefix("/"), !identifier.split(separator: "/").contains("..") else { return nil }
        guard let data = FileManager.default.contents(atPath: "/usr/share/zoneinfo/" + identifier), data.count <= 1 << 20 else {
            return nil
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 44, bytes[0] == 0x54, bytes[1] == 0x5A, bytes[2] == 0x69, bytes[3] == 0x66 else { return nil }
        func int32(_ at: Int) -> Int? {
            guard at + 4 <= bytes.count else { return nil }
            let u = UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
            return Int(Int32(bitPattern: u))
        }
        guard let timecnt = int32(32), let typecnt = int32(36), let charcnt = int32(40),
              timecnt >= 0, typecnt > 0, charcnt >= 0 else { return nil }
        let transitionsAt = 44, indicesAt = transitionsAt + 4 * timecnt
        let infosAt = indicesAt + timecnt, charsAt = infosAt + 6 * typecnt
        guard charsAt + charcnt <= bytes.count else { return nil }
        struct Info { let isDST: Bool; let abbreviation: String }
        var infos: [Info] = []
        for i in 0..<typecnt {
            let at = infosAt + 6 * i
            let start = charsAt + Int(bytes[at + 5])
            guard start <= charsAt + charcnt else { return nil }
            var end = start
            while end < charsAt + charcnt && bytes[end] != 0 { end += 1 }
            infos.append(Info(isDST: bytes[at + 4] != 0, abbreviation: String(decoding: bytes[start..<end], as: UTF8.self)))
        }
        var indices: [Int] = []
        for i in 0..<timecnt {
            let index = Int(bytes[indicesAt + i])
            guard index < typecnt else { return nil }
            indices.append(index)
        }
        // dateutil: the standard info is the last non-DST one transitioned to; "before" the first non-DST one.
        var standard: Info? = nil
        for index in indices.reversed() where !infos[index].isDST { standard = infos[index]; break }
        let before = infos.first(where: { !$0.isDST }) ?? infos[0]
        let std = standard ?? before
        var last = -1
        for i in 0..<timecnt {
            guard let t = int32(transitionsAt + 4 * i) else { return nil }
            if t <= seconds { last = i } else { break }
        }
        if last + 1 >= timecnt { return std.abbreviation }
        if last < 0 { return before.abbreviation }
        return infos[indices[last]].abbreviation
    }
}
