import Testing
@testable import MLReproCLI

@Suite struct DiagnosticsTests {
    @Test func locatedMessagesArePrintedAsIs() {
        #expect(Diagnostics.hasLocationPrefix("a.yml:3:5: error: bad"))
        #expect(!Diagnostics.hasLocationPrefix("template not found"))
    }

    @Test func unknownSubcommandIsAnErrorWithStatusTwo() async {
        let status = await CommandLineEntry.execute(arguments: ["no-such-command"])
        #expect(status == .error)
    }

    @Test func versionExitsZero() async {
        let status = await CommandLineEntry.execute(arguments: ["--version"])
        #expect(status == .success)
    }
}
