import Foundation
import Testing
import TemplateEngine
@testable import MLReproCore

@Suite struct RenderingContextTests {
    /// `_mlrepro.dst_relative`: DEST as the user would `cd` to it from the current directory.
    @Test func destinationRelativeToTheCurrentDirectory() {
        #expect(RenderingContext.relative("/a/b/c", to: "/a") == "b/c")
        #expect(RenderingContext.relative("/a/b", to: "/a/b/") == ".")
        #expect(RenderingContext.relative("/ab/c", to: "/a") == "/ab/c")
        #expect(RenderingContext.relative("/x/y", to: "/a") == "/x/y")
    }
}
