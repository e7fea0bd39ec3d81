/// What `update` does with one path, decided from the three versions of it: the recorded
/// template version's file (`base`), the new version's (`new`) and the project's (`ours`).
/// Pure: `ProjectUpdate.run` turns each decision into writes, removals and report lines.
enum UpdateDecision: Equatable {
    /// Nothing to do: the path is absent on the template's side and the project's, the template did
    /// not change it, or the project already has the new content (with the new mode).
    case leave
    /// The project already has the new content; only the file mode follows the template's change.
    case changeMode(to: UInt16)
    /// The template no longer generates the file, which the project left as generated: removed.
    case remove
    /// The template no longer generates the file, which the project changed: kept.
    case keepChangedRemoved
    /// A project-owned file whose content differs from the new version's, left as it is (`--keep-owned`).
    case keepOwned
    /// A file the template newly generates and the project has no file at: created.
    case create
    /// The project deleted a file the template changed (or generates anew where it was recorded): not restored.
    case keepDeleted
    /// The project left the file as generated: it takes the new version, with `mode`.
    case replace(mode: UInt16)
    /// The template newly generates a path where the project has its own file: the new version goes beside it.
    case conflictNewFile
    /// Both sides changed a binary file: the new version goes beside it.
    case conflictBinary
    /// Both sides changed a text file: three-way merge, the result with `mode`.
    case merge(mode: UInt16)

    /// One version of a file: its bytes and permission bits.
    struct Version: Equatable {
        var bytes: [UInt8]
        var mode: UInt16
    }

    /// The decision for one path. `recorded`: the project's record has a checksum for the path (it
    /// was generated). `skipIfExists`: the new version lists it in `_skip_if_exists`. `keptOwned`:
    /// it is project-owned and `--keep-owned` was given.
    static func decide(base: Version?, new: Version?, ours: Version?,
                       recorded: Bool, skipIfExists: Bool, keptOwned: Bool) -> UpdateDecision {
        if skipIfExists && ours != nil { return .leave }
        if keptOwned && (ours != nil || base != nil) {
            if let ours, let new, ours.bytes != new.bytes { return .keepOwned }
            return .leave
        }
        switch (base, new, ours) {
        case (_, nil, nil), (nil, nil, _):
            return .leave
        case let (base?, nil, ours?):
            return ours.bytes == base.bytes ? .remove : .keepChangedRemoved
        case let (base, new?, nil):
            if base == nil && !recorded { return .create }
            if base == nil || base?.bytes != new.bytes { return .keepDeleted }
            return .leave
        case let (base, new?, ours?):
            if ours.bytes == new.bytes {
                if base?.mode == ours.mode, ours.mode != new.mode { return .changeMode(to: new.mode) }
                return .leave
            }
            let mode = base.map { $0.mode == ours.mode ? new.mode : ours.mode } ?? ours.mode
            guard let base else { return .conflictNewFile }
            if ours.bytes == base.bytes { return .replace(mode: mode) }
            if base.bytes == new.bytes { return .leave }
            if base.bytes.contains(0) || ours.bytes.contains(0) || new.bytes.contains(0) { return .conflictBinary }
            return .merge(mode: mode)
        }
    }
}
