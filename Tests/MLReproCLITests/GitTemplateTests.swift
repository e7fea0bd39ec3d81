import Foundation
import MLReproTestSupport
import Testing

/// End to end: git templates, `check` and `update`, with the real binary.
@Suite("Git templates, check and update")
struct GitTemplateTests {
    /// A temp root with the template repository and helpers to run mlrepro in it.
    struct Scenario {
        let root: String
        var template: TemplateRepository
        var project: String { root + "/proj" }

        init() throws {
            root = try Harness.temporaryDirectory()
            template = try TemplateRepository(in: root)
        }

        @discardableResult
        func mlrepro(_ arguments: [String], environment: [String: String]? = nil) throws -> Harness.Result {
            try Harness.run(arguments, in: root, environment: environment ?? gitTestEnvironment(root))
        }

        /// `init proj` from the template at `ref`, expected to succeed.
        func initProject(ref: String? = "v1", extra: [String] = []) throws {
            let result = try mlrepro(["init", "proj", "--template", template.path, "--defaults"]
                + (ref.map { ["--vcs-ref", $0] } ?? []) + extra)
            guard result.status == 0 else {
                throw GitCommandFailed(arguments: ["mlrepro init"], message: result.stderr)
            }
        }

        func read(_ relative: String) -> String? { Harness.read(project + "/" + relative) }

        /// A top-level scalar of `.mlrepro/answers.yml`, quotes removed.
        func recorded(_ key: String, project name: String = "proj") -> String? {
            let text = Harness.read(root + "/" + name + "/.mlrepro/answers.yml") ?? ""
            for line in text.split(separator: "\n") where line.hasPrefix(key + ": ") {
                var value = line.dropFirst(key.count + 2)
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
                return String(value)
            }
            return nil
        }

        func edit(_ relative: String, _ old: String, _ new: String) throws {
            let text = read(relative) ?? ""
            try Data(text.replacingOccurrences(of: old, with: new).utf8).write(to: URL(fileURLWithPath: project + "/" + relative))
        }

        /// Commits the project's working tree as the user would.
        func commitProject(_ message: String) throws {
            try TemplateRepository.git(["add", "--all"], in: project)
            try TemplateRepository.git(["commit", "--quiet", "-m", message], in: project)
        }

        func cleanup() { Harness.cleanup(root) }
    }

    @Test("init at v1 makes a git repository with one commit and records the full commit id")
    func initAtV1() throws {
        let scenario = try Scenario()
        defer { scenario.cleanup() }
        try scenario.initProject(ref: "v1")
        let v1 = try #require(scenario.template.commits["v1"])
        #expect(scenario.recorded("_commit") == v1)
        #expect(scenario.recorded("_template") == scenario.template.path)
        #expect(try TemplateRepository.git(["rev-list", "--count", "HEAD"], in: scenario.project) == "1")
        #expect(try TemplateRepository.git(["log", "-1", "--format=%an <%ae>|%s"], in: scenario.project)
            == "Test Researcher <researcher@example.org>|Generate project with mlrepro 0.1.0 from \(scenario.template.path)@v1")
        #expect(try TemplateRepository.git(["status", "--porcelain"], in: scenario.project) == "")
        let tracked = try TemplateRepository.git(["ls-files"], in: scenario.project).split(separator: "\n")
        #expect(!tracked.contains(".env"))
        #expect(tracked.contains("src/config.py"))
        #expect(scenario.read("src/config.py")?.contains("seed = 1") == true)
    }

    @Test("check is 0 in sync and 1 after an edit, naming the file in text and JSON")
    func checkCleanThenDrift() throws {
        let scenario = try Scenario()
        defer { scenario.cleanup() }
        try scenario.initProject(ref: "v1")
        let clean = try scenario.mlrepro(["check", "proj"])
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.hasPrefix("in sync: 3 files match template"))

        // Secrets and _skip_if_exists files are the project's own: editing them is no drift.
        try Data("TOKEN=mine\n".utf8).write(to: URL(fileURLWithPath: scenario.project + "/.env"))
        try Data("rewritten notes\n".utf8).write(to: URL(fileURLWithPath: scenario.project + "/notes.md"))
        #expect(try scenario.mlrepro(["check", "proj"]).status == 0)

        try scenario.edit("src/config.py", TemplateRepository.userEdit.from, TemplateRepository.userEdit.to)
        let drift = try scenario.mlrepro(["check", "proj"])
        #expect(drift.status == 1)
        #expect(drift.stdout.contains("--- a/src/config.py\n+++ b/src/config.py\n@@ -1,5 +1,5 @@\n"))
        #expect(drift.stdout.contains("-epochs = 10\n+epochs = 20\n"))
        #expect(drift.stdout.contains("  changed  src/config.py\n"))
        #expect(drift.stdout.contains("summary: 1 changed, 0 missing, 0 extra"))

        let json = try scenario.mlrepro(["check", scenario.project, "--json"])
        #expect(json.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["in_sync"] as? Bool == false)
        let files = try #require(report["files"] as? [[String: Any]])
        #expect(files.map { $0["path"] as? String } == ["src/config.py"])
        #expect(files.first?["status"] as? String == "changed")
        #expect((files.first?["diff"] as? String)?.contains("+epochs = 20") == true)

        // Deleting a generated file is drift too; declaring it the project's own (_skip) is not.
        try FileManager.default.removeItem(atPath: scenario.project + "/README.md")
        let missing = try scenario.mlrepro(["check", "proj"])
        #expect(missing.stdout.contains("  missing  README.md\n"))
        let answers = scenario.read(".mlrepro/answers.yml") ?? ""
        try Data((answers + "_skip:\n  - README.md\n  - src/*.py\n").utf8)
            .write(to: URL(fileURLWithPath: scenario.project + "/.mlrepro/answers.yml"))
        let skipped = try scenario.mlrepro(["check", "proj"])
        #expect(skipped.status == 0, "\(skipped.stdout)")
    }

    @Test("update to v2 merges cleanly and keeps both the user's and the template's changes")
    func updateToV2() throws {
        let scenario = try Scenario()
        defer { scenario.cleanup() }
        try scenario.initProject(ref: "v1")
        try scenario.edit("src/config.py", TemplateRepository.userEdit.from, TemplateRepository.userEdit.to)
        try scenario.commitProject("tune epochs")
        let result = try scenario.mlrepro(["update", "proj", "--vcs-ref", "v2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("merge  src/config.py"))
        #expect(result.stdout.contains("update  README.md"))
        #expect(scenario.read("src/config.py") == "name = \"demo\"\nlr = 0.1\nepochs = 20\nbatch = 32\nseed = 2\n")
        #expect(scenario.read("README.md")?.hasSuffix("last line, v2\n") == true)
        let v2 = try #require(scenario.template.commits["v2"])
        #expect(scenario.recorded("_commit") == v2)
        // After the update only the user's own edit is drift.
        try scenario.commitProject("update to v2")
        let check = try scenario.mlrepro(["check", "proj", "--json"])
        #expect(check.status == 1)
        #expect(check.stdout.contains("\"summary\": {\"changed\": 1, \"missing\": 0, \"extra\": 0}"))
    }

    @Test("update to v3 leaves diff3 conflict markers, lists the file and exits 1")
    func updateToV3Conflicts() throws {
        let scenario = try Scenario()
        defer { scenario.cleanup() }
        try scenario.initProject(ref: "v1")
        try scenario.edit("src/config.py", TemplateRepository.userEdit.from, TemplateRepository.userEdit.to)
        try scenario.commitProject("tune epochs")
        let result = try scenario.mlrepro(["update", "proj", "--vcs-ref", "v3"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("1 file with conflicts; resolve the markers, then commit:\n  src/config.py\n"))
        let v1 = try #require(scenario.template.commits["v1"])
        #expect(scenario.read("src/config.py") == """
            name = "demo"
            lr = 0.1
            <<<<<<< project
            epochs = 20
            ||||||| template \(v1.prefix(12)) (recorded)
            epochs = 10
            =======
            epochs = 30
            >>>>>>> template v3
            batch = 32
            seed = 2

            """)
        #expect(scenario.read("CHANGELOG.md") == "v3\n")
        #expect(scenario.read("notes.md") == "my notes\n")
    }

    @Test("update refuses a dirty working tree and changes nothing")
    func dirtyTreeRefused() throws {
        let scenario = try Scenario()
        defer { scenario.cleanup() }
        try scenario.initProject(ref: "v1")
        let before = scenario.read(".mlrepro/answers.yml")
        try Data("scratch\n".utf8).write(to: URL(fileURLWithPath: scenario.project + "/scratch.txt"))
        let result = try scenario.mlrepro(["update", "proj", "--vcs-ref", "v2"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("has uncommitted changes; commit or stash them before updating"))
        #expect(result.stderr.contains("scratch.txt"))
        #expect(scenario.read(".mlrepro/answers.yml") == before)
        #expect(scenario.read("src/config.py")?.contains("seed = 1") == true)

        // Staged changes count as well.
        try TemplateRepository.git(["add", "scratch.txt"], in: scenario.project)
        #expect(try scenario.mlrepro(["update", "proj", "--vcs-ref", "v2"]).status == 2)
    }

    @Test("a file the user deleted is not brought back by update")
    func deletedStaysDeleted() throws {
        let scenario = try Scenario()
        defer { scenario.cleanup() }
        try scenario.initProject(ref: "v1")
        try TemplateRepository.git(["rm", "--quiet", "README.md"], in: scenario.project)
        try scenario.commitProject("no readme")
        let result = try scenario.mlrepro(["update", "proj", "--vcs-ref", "v2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: scenario.project + "/README.md") == false)
        #expect(result.stdout.contains("deleted  README.md"))
        #expect(scenario.read("src/config.py")?.contains("seed = 2") == true)
    }

    @Test("update takes changed answers from --data")
    func updateWithNewAnswers() throws {
        let scenario = try Scenario()
        defer { scenario.cleanup() }
        try scenario.initProject(ref: "v1")
        let result = try scenario.mlrepro(["update", "proj", "--vcs-ref", "v1", "--data", "lr=0.5"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(scenario.read("src/config.py")?.contains("lr = 0.5\n") == true)
        #expect(scenario.read(".mlrepro/answers.yml")?.contains("lr: 0.5\n") == true)
        try scenario.commitProject("lr")
        #expect(try scenario.mlrepro(["check", "proj"]).status == 0)
    }

    @Test("check outside a generated project exits 2")
    func checkOutsideProject() throws {
        let scenario = try Scenario()
        defer { scenario.cleanup() }
        let result = try scenario.mlrepro(["check", scenario.root])
        #expect(result.status == 2)
        #expect(result.stderr.contains("is not a generated project (no .mlrepro/answers.yml, nor copier's .copier-answers.yml or cruft's .cruft.json)"))
        let update = try scenario.mlrepro(["update", scenario.root])
        #expect(update.status == 2)
    }

    @Test("an unknown ref and a missing repository are clear errors that write nothing")
    func unknownRefAndMissingRepository() throws {
        let scenario = try Scenario()
        defer { scenario.cleanup() }
        let unknown = try scenario.mlrepro(["init", "proj", "--template", scenario.template.path, "--vcs-ref", "v9", "--defaults"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("has no tag, branch or commit 'v9'"))
        #expect(FileManager.default.fileExists(atPath: scenario.project) == false)

        let missing = try scenario.mlrepro(["init", "proj", "--template", "file://\(scenario.root)/nowhere.git", "--defaults"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("mlrepro: error: template 'file://\(scenario.root)/nowhere.git': git: cloning"))
        #expect(FileManager.default.fileExists(atPath: scenario.project) == false)

        let optionLike = try scenario.mlrepro(["init", "proj", "--template", scenario.template.path, "--vcs-ref=--upload-pack=x", "--defaults"])
        #expect(optionLike.status == 2)
        #expect(optionLike.stderr.contains("looks like an option"))

        try scenario.initProject(ref: "v1")
        let badUpdate = try scenario.mlrepro(["update", "proj", "--vcs-ref", "nope"])
        #expect(badUpdate.status == 2)
        #expect(badUpdate.stderr.contains("'nope'"))
    }

    @Test("without --vcs-ref the newest version tag is used, not a later untagged HEAD")
    func defaultsToNewestTag() throws {
        var scenario = try Scenario()
        defer { scenario.cleanup() }
        try scenario.template.write("UNRELEASED.md", "work in progress\n")
        try scenario.template.commit(nil)
        try scenario.initProject(ref: nil)
        let v3 = try #require(scenario.template.commits["v3"])
        #expect(scenario.recorded("_commit") == v3)
        #expect(FileManager.default.fileExists(atPath: scenario.project + "/UNRELEASED.md") == false)
        #expect(try TemplateRepository.git(["log", "-1", "--format=%s"], in: scenario.project).hasSuffix("@v3"))
    }

    @Test("a file:// template is cloned once into the cache and fetched when a new tag is asked for")
    func fileURLCache() throws {
        var scenario = try Scenario()
        defer { scenario.cleanup() }
        let url = "file://" + scenario.template.path
        let first = try scenario.mlrepro(["init", "one", "--template", url, "--vcs-ref", "v2", "--defaults"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(scenario.recorded("_template", project: "one") == url)
        let cache = scenario.root + "/cache/mlrepro/git"
        #expect(Harness.entries(cache).count == 1)

        try scenario.template.write("NEW.md", "v4\n")
        try scenario.template.commit("v4")
        let second = try scenario.mlrepro(["init", "two", "--template", url, "--vcs-ref", "v4", "--defaults"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(Harness.read(scenario.root + "/two/NEW.md") == "v4\n")
        #expect(Harness.entries(cache).count == 1)
        #expect(try scenario.mlrepro(["check", "one"]).status == 0)
    }

    @Test("a dirty local template renders its working tree and records that")
    func dirtyLocalTemplate() throws {
        let scenario = try Scenario()
        defer { scenario.cleanup() }
        try scenario.template.replace("README.md.jinja", "line 2", "line 2, uncommitted")
        let result = try scenario.mlrepro(["init", "proj", "--template", scenario.template.path, "--defaults"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("has uncommitted changes; rendering its working tree"))
        #expect(scenario.read("README.md")?.contains("line 2, uncommitted") == true)
        #expect(scenario.read(".mlrepro/answers.yml")?.contains("_template_dirty: true") == true)
        #expect(try TemplateRepository.git(["log", "-1", "--format=%s"], in: scenario.project).hasSuffix("@HEAD+dirty"))
    }

    @Test("--no-git leaves no repository; without any identity the fallback author is named")
    func noGitAndFallbackAuthor() throws {
        let scenario = try Scenario()
        defer { scenario.cleanup() }
        let plain = try scenario.mlrepro(["init", "plain", "--template", scenario.template.path, "--vcs-ref", "v1", "--defaults", "--no-git"])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(FileManager.default.fileExists(atPath: scenario.root + "/plain/.git") == false)

        let anonymous = try scenario.mlrepro(["init", "proj", "--template", scenario.template.path, "--vcs-ref", "v1", "--defaults"],
                                             environment: ["XDG_CACHE_HOME": scenario.root + "/cache"])
        #expect(anonymous.status == 0, "\(anonymous.stderr)")
        #expect(anonymous.stderr.contains("committed as 'mlrepro <mlrepro@localhost>'"))
        #expect(try TemplateRepository.git(["log", "-1", "--format=%an <%ae>"], in: scenario.project) == "mlrepro <mlrepro@localhost>")
    }
}
