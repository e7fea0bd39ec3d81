import Testing
@testable import TemplateEngine
