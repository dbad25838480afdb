extension PhoneNumber {
    /// Masks a stored E.164 number, grouped as libphonenumber formats it.
    public static func mask(e164: String) -> String {
        (try? PhoneNumber.parse(e164, region: "ZZ").masked) ?? maskDigits(e164)
    }

    /// A contact id as shown: masked when the contact is keyed by its number (a raw send, a campaign row or an
    /// inbound SMS without an id), as it is.
    public static func maskID(_ id: String) -> String { id.hasPrefix("+") ? mask(e164: id) : id }
}
