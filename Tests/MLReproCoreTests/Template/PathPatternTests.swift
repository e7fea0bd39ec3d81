import Foundation
import Testing
import TemplateEngine
@testable import MLReproCore

@Suite struct PathPatternTests {
    @Test func gitignoreSemantics() {
        let patterns = PathPatterns(["*.pyc", "/build", "docs/", "a/**/z.txt", "!keep.pyc", "__pycache__"])
        #expect(patterns.matches("x.pyc", isDirectory: false))
        #expect(patterns.matches("deep/inside/x.pyc", isDirectory: false))
        #expect(!patterns.matches("deep/keep.pyc", isDirectory: false))
        #expect(patterns.matches("build", isDirectory: true))
        #expect(patterns.matches("build/out.o", isDirectory: false))
        #expect(!patterns.matches("src/build", isDirectory: true))
        #expect(patterns.matches("docs", isDirectory: true))
        #expect(!patterns.matches("docs", isDirectory: false))
        #expect(patterns.matches("docs/index.md", isDirectory: false))
        #expect(patterns.matches("a/z.txt", isDirectory: false))
        #expect(patterns.matches("a/b/c/z.txt", isDirectory: false))
        #expect(patterns.matches("pkg/__pycache__/m.pyc", isDirectory: false))
        #expect(!patterns.matches("README.md", isDirectory: false))
    }

    @Test func characterClassesAndQuestionMarks() {
        let patterns = PathPatterns(["*.py[co]", "file?.txt"])
        #expect(patterns.matches("m.pyc", isDirectory: false))
        #expect(patterns.matches("m.pyo", isDirectory: false))
        #expect(!patterns.matches("m.py", isDirectory: false))
        #expect(patterns.matches("file1.txt", isDirectory: false))
        #expect(!patterns.matches("file10.txt", isDirectory: false))
    }
}
