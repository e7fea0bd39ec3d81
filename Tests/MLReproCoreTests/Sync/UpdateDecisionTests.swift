import Testing
@testable import MLReproCore

/// Every row of update's decision table: the template's side (absent, unchanged, changed, new,
/// removed) against the project's (as generated, changed, deleted, its own file), and the
/// conflicts (text, binary, a new file over the user's).
@Suite("Update decisions")
struct UpdateDecisionTests {
    typealias Version = UpdateDecision.Version

    static let original = Version(bytes: Array("a\nb\n".utf8), mode: 0o644)
    static let templateChange = Version(bytes: Array("a\nb\nc\n".utf8), mode: 0o644)
    static let userChange = Version(bytes: Array("z\na\nb\n".utf8), mode: 0o644)

    static func decide(_ base: Version?, _ new: Version?, _ ours: Version?, recorded: Bool = true,
                       skipIfExists: Bool = false, keptOwned: Bool = false) -> UpdateDecision {
        UpdateDecision.decide(base: base, new: new, ours: ours, recorded: recorded, skipIfExists: skipIfExists, keptOwned: keptOwned)
    }

    // Template unchanged.
    @Test func templateUnchangedUserKept() { #expect(Self.decide(Self.original, Self.original, Self.original) == .leave) }
    @Test func templateUnchangedUserChanged() { #expect(Self.decide(Self.original, Self.original, Self.userChange) == .leave) }
    @Test func templateUnchangedUserRemoved() { #expect(Self.decide(Self.original, Self.original, nil) == .leave) }

    // Template changed.
    @Test func templateChangedUserKept() {
        #expect(Self.decide(Self.original, Self.templateChange, Self.original) == .replace(mode: 0o644))
    }
    @Test func templateChangedUserChangedTheSame() {
        #expect(Self.decide(Self.original, Self.templateChange, Self.templateChange) == .leave)
    }
    @Test func templateChangedUserChanged() {
        #expect(Self.decide(Self.original, Self.templateChange, Self.userChange) == .merge(mode: 0o644))
    }
    @Test func templateChangedUserRemoved() {
        #expect(Self.decide(Self.original, Self.templateChange, nil) == .keepDeleted)
    }
    @Test func bothChangedBinary() {
        let binary = Version(bytes: [0, 1, 2], mode: 0o644)
        #expect(Self.decide(binary, Version(bytes: [0, 1, 3], mode: 0o644), Version(bytes: [0, 1, 4], mode: 0o644)) == .conflictBinary)
        // A NUL on any one side makes the file binary.
        #expect(Self.decide(Self.original, Version(bytes: [0], mode: 0o644), Self.userChange) == .conflictBinary)
        #expect(Self.decide(Self.original, Self.templateChange, Version(bytes: [0], mode: 0o644)) == .conflictBinary)
    }

    // Template removed the file.
    @Test func templateRemovedUserKept() { #expect(Self.decide(Self.original, nil, Self.original) == .remove) }
    @Test func templateRemovedUserChanged() { #expect(Self.decide(Self.original, nil, Self.userChange) == .keepChangedRemoved) }
    @Test func templateRemovedUserRemoved() { #expect(Self.decide(Self.original, nil, nil) == .leave) }

    // Template generates a new file.
    @Test func newFileProjectHasNone() { #expect(Self.decide(nil, Self.templateChange, nil, recorded: false) == .create) }
    @Test func newFileRecordedButDeleted() {
        // The record lists it (a base that could not be rendered): the user's deletion stands.
        #expect(Self.decide(nil, Self.templateChange, nil, recorded: true) == .keepDeleted)
    }
    @Test func newFileOverTheUsersOwn() { #expect(Self.decide(nil, Self.templateChange, Self.userChange) == .conflictNewFile) }
    @Test func newFileTheUserAlreadyHas() { #expect(Self.decide(nil, Self.templateChange, Self.templateChange) == .leave) }
    @Test func absentEverywhere() {
        #expect(Self.decide(nil, nil, Self.userChange) == .leave)
        #expect(Self.decide(nil, nil, nil) == .leave)
    }

    // File modes.
    @Test func modeFollowsTheTemplateWhereTheUserKeptIt() {
        let executable = Version(bytes: Self.templateChange.bytes, mode: 0o755)
        #expect(Self.decide(Self.original, executable, Self.original) == .replace(mode: 0o755))
        // Content already new, mode as generated: only the mode changes.
        #expect(Self.decide(Self.original, executable, Self.templateChange) == .changeMode(to: 0o755))
    }
    @Test func theUsersModeStays() {
        let usersMode = Version(bytes: Self.original.bytes, mode: 0o600)
        // The user changed the mode (not the content): the content updates, the user's mode stays.
        #expect(Self.decide(Self.original, Version(bytes: Self.templateChange.bytes, mode: 0o755), usersMode) == .replace(mode: 0o600))
        #expect(Self.decide(Self.original, Version(bytes: Self.original.bytes, mode: 0o755), usersMode) == .leave)
        let merged = Self.decide(Self.original, Version(bytes: Self.templateChange.bytes, mode: 0o755),
                                 Version(bytes: Self.userChange.bytes, mode: 0o600))
        #expect(merged == .merge(mode: 0o600))
    }

    // `_skip_if_exists` and `--keep-owned`.
    @Test func skipIfExists() {
        #expect(Self.decide(Self.original, Self.templateChange, Self.userChange, skipIfExists: true) == .leave)
        // A file the project lacks is still created.
        #expect(Self.decide(nil, Self.templateChange, nil, recorded: false, skipIfExists: true) == .create)
    }
    @Test func keepOwned() {
        #expect(Self.decide(Self.original, Self.templateChange, Self.userChange, keptOwned: true) == .keepOwned)
        #expect(Self.decide(Self.original, Self.templateChange, Self.templateChange, keptOwned: true) == .leave)
        #expect(Self.decide(Self.original, nil, Self.original, keptOwned: true) == .leave)
        #expect(Self.decide(Self.original, Self.templateChange, nil, keptOwned: true) == .leave)
        // A project-owned file the project lacks and the recorded version did not generate is created.
        #expect(Self.decide(nil, Self.templateChange, nil, recorded: false, keptOwned: true) == .create)
    }
}
