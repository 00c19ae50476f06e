/// An Ex Libris Alma hosting region. Only the institution's own region's mail relays matter.
public enum AlmaRegion: String, Sendable, CaseIterable, Codable, Comparable {
    case northAmerica = "NA"
    case europe = "EU"
    case asiaPacific = "AP"
    case canada = "CA"
    case china = "CN"

    /// The region's code as written in the inventory and reports (`NA`, `EU`, …).
    public var code: String { rawValue }

    /// The region's name as Ex Libris writes it.
    public var displayName: String {
        switch self {
        case .northAmerica: "North America"
        case .europe: "Europe"
        case .asiaPacific: "Asia Pacific"
        case .canada: "Canada"
        case .china: "China"
        }
    }

    public static func < (lhs: AlmaRegion, rhs: AlmaRegion) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
