import Testing
@testable import EnvironmentProbe
