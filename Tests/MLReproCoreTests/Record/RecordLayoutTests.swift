import Foundation
import Testing
@testable import MLReproCore

@Suite struct RecordLayoutTests {
    @Test func theFirstRecordKeepsTheStandardFiles() throws {
        let layout = try RecordLayout.forInit(answersFile: "./.mlrepro/answers.yml")
        #expect(layout == .standard)
        #expect(layout.files == [".mlrepro/answers.yml", ".mlrepro/checksums", ".mlrepro/environment.json"])
        #expect(layout.baseReference == "refs/mlrepro/base")
    }

    @Test func aNamedRecordHasFilesAndABaseOfItsOwn() throws {
        let layout = try RecordLayout.forInit(answersFile: ".mlrepro/answers.ci-2_x.yml")
        #expect(layout.name == "ci-2_x")
        #expect(layout.files == [".mlrepro/answers.ci-2_x.yml", ".mlrepro/checksums.ci-2_x", ".mlrepro/environment.ci-2_x.json"])
        #expect(layout.baseReference == "refs/mlrepro/records/ci-2_x/base")
    }

    @Test func copierAnswersFilesMapToTheSameName() {
        #expect(RecordLayout.of(record: ".copier-answers.ci.yml") == RecordLayout(name: "ci"))
        #expect(RecordLayout.of(record: ".copier-answers.yml") == .standard)
        #expect(RecordLayout.of(record: ".cruft.json") == .standard)
        #expect(RecordLayout.of(record: ".copier/.copier-answers.ci.yml") == .standard)
        #expect(RecordLayout.of(record: nil) == .standard)
    }

    @Test(arguments: ["answers.ci.yml", ".mlrepro/ci.yml", ".mlrepro/answers..yml", ".mlrepro/answers.a b.yml",
                      ".mlrepro/answers.-x.yml", ".mlrepro/answers.a.b.yml", ".mlrepro/answers.ü.yml",
                      ".mlrepro/answers.\(String(repeating: "x", count: 65)).yml"])
    func pathsThatNameNoRecordAreRefused(_ path: String) {
        #expect(throws: RecordPlacementError.self) { try RecordLayout.forInit(answersFile: path) }
    }
}
