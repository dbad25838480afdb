import Foundation
import HTTPTypes
import HeraldApp
import HeraldCore
import Hummingbird
import NIOCore

/// A group of routes over the server's state (its store, catalog and settings): each feature has one, in
/// `Controllers/`. Handlers decode the request, call the core or the application layer, and encode the answer.
protocol Controller: Sendable {
    var state: ServerState { get }
    func register(_ t: inout RouteTable)
}

extension Controller {
    var store: any Storage { state.store }
    var catalog: Catalog { state.catalog }
    var limit: Int { state.settings.maxBody }
}

/// Every route, controller by controller.
struct Routes: Sendable {
    let state: ServerState

    func register(_ t: inout RouteTable) {
        let controllers: [any Controller] = [
            OperationsController(state: state), EventsController(state: state), TemplatesController(state: state),
            ContactsController(state: state), MessagesController(state: state), CampaignsController(state: state),
            ConsoleController(state: state),
        ]
        for controller in controllers { controller.register(&t) }
    }
}

/// A contact id keyed by a phone number is masked wherever it is shown.
func maskedContact(_ id: String) -> String { PhoneNumber.maskID(id) }

func describe(_ identity: Identity) -> String {
    switch identity {
    case .key(let name, let role): "key \(name) (\(role.rawValue))"
    case .customer(let contact): "the customer \(maskedContact(contact))"
    }
}

