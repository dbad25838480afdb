/// Why a message could not be rendered. Each names the template and, where it applies, the parameter.
public struct RenderError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case unknownTemplate = "unknown_template"
        case missingParameter = "missing_parameter"
        case unknownParameter = "unknown_parameter"
        case invalidParameter = "invalid_parameter"
        case invalidLocale = "invalid_locale"
        case invalidTimeZone = "invalid_time_zone"
        case noMessage = "no_message"
        case messageFormat = "message_format"
    }

    public var code: Code
    public var message: String
    public var template: String?
    public var parameter: String?

    public init(_ code: Code, _ message: String, template: String? = nil, parameter: String? = nil) {
        self.code = code
        self.message = message
        self.template = template
        self.parameter = parameter
    }

    public var description: String { message }
}
