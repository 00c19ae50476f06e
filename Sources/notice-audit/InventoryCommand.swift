import ArgumentParser
import Foundation
import NoticeAudit

/// `notice-audit inventory …`
struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Work with the consortium inventory (inventory.json).",
        subcommands: [Validate.self]
    )

    /// `notice-audit inventory validate [PATH]`
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an inventory and print every problem with its JSON path.",
            discussion: "Exit status: 0 when the inventory is valid (warnings allowed), 2 when it is not or cannot be read."
        )

        @Argument(help: "The inventory file.")
        var path: String = "inventory.json"

        @Flag(help: "Print a JSON object on stdout instead of text.")
        var json = false

        func run() async throws {
            let validation: InventoryValidation
            do {
                validation = try InventoryLoader.validate(path: path)
            } catch {
                throw CommandFailure.usage("error: \(error)")
            }
            if json {
                try printJSON(validation)
            } else {
                printText(validation)
            }
            if !validation.isValid { throw CommandFailure.silent(CommandFailure.usageStatus) }
        }

        private func printText(_ validation: InventoryValidation) {
            for problem in validation.problems { print(problem) }
            let errors = validation.errors.count, warnings = validation.warnings.count
            if let inventory = validation.inventory {
                print("\(path): valid, consortium \(inventory.consortium), \(inventory.institutions.count) institutions, \(warnings) warning\(warnings == 1 ? "" : "s").")
            } else {
                print("\(path): invalid, \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s").")
            }
        }

        private func printJSON(_ validation: InventoryValidation) throws {
            struct Output: Encodable {
                struct Problem: Encodable {
                    var severity: String
                    var path: String
                    var line: Int?
                    var column: Int?
                    var message: String
                    var hint: String?
                }
                var path: String
                var valid: Bool
                var institutions: Int?
                var problems: [Problem]
            }
            let output = Output(
                path: path, valid: validation.isValid, institutions: validation.inventory?.institutions.count,
                problems: validation.problems.map {
                    .init(severity: $0.severity.rawValue, path: $0.path, line: $0.position?.line, column: $0.position?.column, message: $0.message, hint: $0.hint)
                })
            try JSONOutput.print(output)
        }
    }
}
