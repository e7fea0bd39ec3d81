/// Where mlrepro lives for its users: the package index page every generated link and the
/// wheel's metadata point to (scripts/dist/build_dist.py reads it from this file). Templates see
/// it as `_mlrepro.homepage`.
package enum MLReproHome {
    package static let url = "https://pypi.org/project/mlrepro/"
}
