/// The OpenAPI 3.1 description served at `/openapi.yaml`. A test checks that every registered route is here, with
/// its method, and that nothing here is unregistered.
enum OpenAPIDocument {
    static let yaml = #"""
openapi: 3.1.0
info:
  title: Herald
  version: 0.1.0
  description: |
    Localized SMS templates and policy. Backends post events; Herald decides who is told, applies each
    person's opt-outs, language and quiet hours, renders the message with ICU, counts its segments, stores
    it and sends it. Every route but /health needs `Authorization: Bearer <key>`; each key has a role:
    backend, staff, author, provider or admin (admin may do everything). A customer's token (issued by
    POST /v1/contacts/{id}/tokens) reads and changes that contact's preferences only. Errors are RFC 9457
    problem details (application/problem+json) with the field at fault.
servers:
  - url: http://127.0.0.1:8080
security:
  - bearer: []
tags:
  - name: events
  - name: templates
  - name: contacts
  - name: messages
  - name: operations
  - name: console
paths:
  /console:
    get:
      tags: [console]
      summary: The console, a web page for authors and operators (no key needed to load it; it signs in with one)
      security: []
      responses:
        "200": {description: The page, content: {text/html: {schema: {type: string}}}}
  /console/app.js:
    get:
      tags: [console]
      summary: The console's script
      security: []
      responses:
        "200": {description: The script, content: {text/javascript: {schema: {type: string}}}}
  /console/app.css:
    get:
      tags: [console]
      summary: The console's style
      security: []
      responses:
        "200": {description: The style sheet, content: {text/css: {schema: {type: string}}}}
  /v1/me:
    get:
      tags: [operations]
      summary: The key's name and role (any key; a customer's token is refused)
      responses:
        "200":
          description: Who the key is
          content:
            application/json:
              schema:
                type: object
                required: [name, role]
                properties:
                  name: {type: string}
                  role: {type: string, enum: [backend, staff, author, provider, admin]}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
  /health:
    get:
      tags: [operations]
      summary: Liveness and database check (no key needed)
      security: []
      responses:
        "200": {description: Healthy, content: {application/json: {schema: {$ref: "#/components/schemas/Health"}}}}
        "503": {description: The database cannot be read}
  /metrics:
    get:
      tags: [operations]
      summary: Prometheus metrics (staff)
      description: Messages by status, segments sent, queue depth, render, send and request latency histograms.
      responses:
        "200": {description: Prometheus text format, content: {text/plain: {schema: {type: string}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
  /openapi.yaml:
    get:
      tags: [operations]
      summary: This description (no key needed; it holds no secret)
      security: []
      responses:
        "200": {description: OpenAPI 3.1 YAML, content: {application/yaml: {schema: {}}}}
  /v1/events:
    post:
      tags: [events]
      summary: Post one event (backend)
      description: |
        Rules decide who is told, the policy decides for each person, messages are stored before the answer.
        Idempotent by event id: the same id again changes nothing and answers 200 with the stored decisions.
      parameters:
        - {name: explain, in: query, schema: {type: boolean}, description: Include each decision's trace}
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Event"}}}
      responses:
        "201": {description: Stored, content: {application/json: {schema: {$ref: "#/components/schemas/EventResult"}}}}
        "200": {description: Already stored (same id), content: {application/json: {schema: {$ref: "#/components/schemas/EventResult"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "413": {$ref: "#/components/responses/TooLarge"}
        "422": {$ref: "#/components/responses/Invalid"}
  /v1/events:batch:
    post:
      tags: [events]
      summary: Post up to 1000 events (backend)
      description: Each event is stored or refused on its own; the answer lists every item.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              oneOf:
                - {type: array, minItems: 1, maxItems: 1000, items: {description: "An event; each is checked on its own and refused with its own problem"}}
                - {type: object, additionalProperties: false, required: [events], properties: {events: {type: array, minItems: 1, maxItems: 1000, items: {}}}}
      responses:
        "200":
          description: One item per event
          content:
            application/json:
              schema:
                type: object
                properties:
                  stored: {type: integer}
                  duplicates: {type: integer}
                  refused: {type: integer}
                  items:
                    type: array
                    items:
                      type: object
                      properties:
                        index: {type: integer}
                        status: {type: string, enum: [stored, duplicate, refused]}
                        event: {type: string}
                        result: {$ref: "#/components/schemas/EventResult"}
                        problem: {$ref: "#/components/schemas/Problem"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "413": {$ref: "#/components/responses/TooLarge"}
        "422": {$ref: "#/components/responses/Invalid"}
  /v1/events/{id}:
    get:
      tags: [events]
      summary: What was decided for an event, and why (backend, staff)
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: "Rules, decisions with their traces, messages", content: {application/json: {schema: {type: object}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
  /v1/render:
    post:
      tags: [templates]
      summary: Render a template without sending (backend, author)
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [template]
              description: An optional field given as null is the same as one left out.
              properties:
                template: {type: string, examples: [invoice.created]}
                locale: {type: [string, "null"], description: BCP 47 tag (default the deployment's language), examples: [fr]}
                timeZone: {type: [string, "null"], description: IANA zone (default the deployment's), examples: [Africa/Tunis]}
                params: {type: [object, "null"], additionalProperties: {type: [string, number, boolean]}}
                at: {type: [string, "null"], format: date-time, description: The instant it is rendered for, to state when it expires}
      responses:
        "200": {description: "The text, its encoding, segments and replacements", content: {application/json: {schema: {$ref: "#/components/schemas/Rendered"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "422": {$ref: "#/components/responses/Invalid"}
  /v1/templates:
    get:
      tags: [templates]
      summary: Every template with the locales that have its message (author, backend, staff)
      responses:
        "200": {description: The templates, content: {application/json: {schema: {type: object, properties: {templates: {type: array, items: {$ref: "#/components/schemas/Template"}}}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
  /v1/templates/{id}:
    get:
      tags: [templates]
      summary: One template with each locale's message (author, backend, staff)
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: The template, content: {application/json: {schema: {$ref: "#/components/schemas/Template"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
  /v1/templates/{id}/preview:
    post:
      tags: [templates]
      summary: What the console's template studio shows for a template (author, staff)
      description: >-
        Its parameters (examples where none is given) and, for each locale asked (every locale when none), the
        rendering, its encoding, segments and parts, the characters outside GSM-7 with Herald's stand-in for each,
        the room left, the worst case against the segment budget and the catalog check's diagnostics. With `text`
        (one locale), a draft of the message is checked as if pasted into the locale file (its diagnostics at the
        draft's line and column) and the entry to paste is returned as `yaml`; nothing is written.
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              description: A field given as null is the same as one left out.
              properties:
                locale: {type: [string, "null"], examples: [fr]}
                locales: {type: [array, "null"], items: {type: string}, description: Several locales side by side (every locale when left out)}
                timeZone: {type: [string, "null"], examples: [Africa/Tunis]}
                params: {type: [object, "null"], additionalProperties: {type: [string, number, boolean]}}
                text: {type: [string, "null"], description: A draft of the message (ICU MessageFormat) for the one locale given}
                at: {type: [string, "null"], format: date-time, description: The instant it is rendered for (default now)}
      responses:
        "200":
          description: The template's parameters and each locale's preview
          content:
            application/json:
              schema:
                type: object
                required: [template, budget, parameters, locales]
                properties:
                  template: {type: string}
                  description: {type: string}
                  budget: {type: integer}
                  parameters: {type: array, items: {type: object}}
                  locales: {type: array, items: {type: object}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
        "422": {$ref: "#/components/responses/Invalid"}
  /v1/templates/{id}/messages/{locale}:
    put:
      tags: [templates]
      summary: Write a draft as the template's message in a locale file (author; only with herald serve --studio-writes)
      description: >-
        The draft is checked as if in place first: an error for this template and locale refuses it (422, with the
        draft's line and column). Then the whole locale file is written at once. The running server keeps the catalog
        it started with: a restart serves the new text. Without --studio-writes the answer is 403.
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: locale, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [text]
              properties:
                text: {type: string, description: The message (ICU MessageFormat)}
      responses:
        "200":
          description: Written
          content:
            application/json:
              schema:
                type: object
                properties:
                  template: {type: string}
                  locale: {type: string}
                  file: {type: string}
                  yaml: {type: string}
                  warnings: {type: array, items: {type: object}}
                  note: {type: string}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
        "422": {$ref: "#/components/responses/Invalid"}
  /v1/templates:check:
    post:
      tags: [templates]
      summary: Check a template, locale or event type file against the deployed catalog (author)
      description: As `herald check` does with the file in place; nothing is written.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [content]
              properties:
                kind: {type: [string, "null"], enum: [template, locale, event, null], description: Guessed from the content when left out or null}
                name: {type: string, description: "The file name (default: from its id, locale or type)", examples: [invoice.created.yaml]}
                content: {type: string, description: The file's YAML (or JSON) text}
      responses:
        "200":
          description: The file's diagnostics (file, line, field, reason) and worst-case segment costs
          content:
            application/json:
              schema:
                type: object
                properties:
                  file: {type: string}
                  kind: {type: string}
                  valid: {type: boolean}
                  errors: {type: integer}
                  warnings: {type: integer}
                  diagnostics: {type: array, items: {type: object}}
                  catalogDiagnostics: {type: array, items: {type: object}}
                  costs: {type: array, items: {type: object}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "422": {$ref: "#/components/responses/Invalid"}
  /v1/contacts/{id}/preferences:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      tags: [contacts]
      summary: A contact's preferences (backend, staff, or the contact's own token)
      security: [{bearer: []}, {customerToken: []}]
      responses:
        "200": {description: The preferences, content: {application/json: {schema: {$ref: "#/components/schemas/Preferences"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
    put:
      tags: [contacts]
      summary: Change preferences (backend, staff, or the contact's own token)
      description: Fields given are set; a field set to null returns to the deployment's default; others are kept. An unknown contact is created.
      security: [{bearer: []}, {customerToken: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              properties:
                language: {type: [string, "null"], examples: [am]}
                timeZone: {type: [string, "null"], examples: [Africa/Addis_Ababa]}
                quietHours: {type: [string, "null"], description: "Local START-END, or off", examples: ["22:00-07:00"]}
                optedOutAll: {type: [boolean, "null"], description: null returns it to the default (false)}
                optedOutCategories: {type: [array, "null"], items: {type: string, minLength: 1}}
      responses:
        "200": {description: The preferences as stored, content: {application/json: {schema: {$ref: "#/components/schemas/Preferences"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "422": {$ref: "#/components/responses/Invalid"}
  /v1/contacts/{id}/history:
    get:
      tags: [contacts]
      summary: A person's story over a window (staff)
      description: |
        Their preferences now, each change of them (when, and through which path: the CLI, the API, a STOP by SMS),
        and every event that reached them with what was decided and why, newest first: what
        `herald explain --contact ID --since 24h` prints.
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: since, in: query, schema: {type: string}, description: "ISO 8601 with an offset, or a duration back from now (24h, 7d)"}
        - {name: until, in: query, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 200}, description: "At most this many events (default 50)"}
      responses:
        "200":
          description: The story
          content:
            application/json:
              schema:
                type: object
                required: [contact, preferenceChanges, events]
                properties:
                  contact: {type: string}
                  preferences: {type: object, description: "Their preferences now; absent when Herald never stored them"}
                  since: {type: string, format: date-time}
                  until: {type: string, format: date-time}
                  preferenceChanges:
                    type: array
                    items: {type: object, required: [at, source, changes], properties: {at: {type: string, format: date-time}, source: {type: string}, changes: {type: array, items: {type: string}}}}
                  events: {type: array, items: {type: object}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "422": {$ref: "#/components/responses/Invalid"}
  /v1/contacts/{id}/tokens:
    post:
      tags: [contacts]
      summary: Issue a customer token for this contact (backend)
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {type: object, additionalProperties: false, properties: {ttl: {type: [string, "null"], pattern: "^[0-9]+[mhd]$", description: "1m to 90d (default 7d, also when null)", examples: [12h]}}}
      responses:
        "201":
          description: The token
          content:
            application/json:
              schema: {type: object, properties: {contact: {type: string}, token: {type: string}, expiresAt: {type: string, format: date-time}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
        "422": {$ref: "#/components/responses/Invalid"}
  /v1/inbound:
    post:
      tags: [contacts]
      summary: An SMS a person sent back (backend, provider)
      description: |
        A stop word of any locale (STOP, ARRET, ARRÊT, UNSUBSCRIBE, አቁም, …) opts every contact with that number out
        of everything; a start word (START, DÉMARRER, ጀምር, …) opts them back in. The reply is queued in their language.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [from, text]
              properties:
                from: {type: string, minLength: 1, examples: ["+21620123456"]}
                text: {type: string, examples: [ARRÊT]}
                to: {type: [string, "null"]}
                id: {type: [string, "null"], description: The provider's id of the SMS}
                receivedAt: {type: [string, "null"], format: date-time, description: When the person sent it (default now)}
      responses:
        "200":
          description: What the SMS changed
          content:
            application/json:
              schema:
                type: object
                properties:
                  keyword: {type: [string, "null"], enum: [stop, start, null]}
                  word: {type: string}
                  keywordLocale: {type: string}
                  contacts: {type: array, items: {type: string}}
                  reply: {type: object, properties: {messageId: {type: integer}, locale: {type: string}, text: {type: string}, segments: {type: integer}}}
                  event: {type: string}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "422": {$ref: "#/components/responses/Invalid"}
  /v1/delivery-reports:
    post:
      tags: [messages]
      summary: A provider's delivery reports, one or a list (backend, provider)
      requestBody:
        required: true
        content:
          application/json:
            schema:
              oneOf:
                - {$ref: "#/components/schemas/DeliveryReport"}
                - {type: array, items: {$ref: "#/components/schemas/DeliveryReport"}}
      responses:
        "200":
          description: What each report changed; unknown references are kept and counted
          content:
            application/json:
              schema: {type: object, properties: {matched: {type: integer}, unknown: {type: integer}, results: {type: array, items: {type: object}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "422": {$ref: "#/components/responses/Invalid"}
  /v1/messages:
    get:
      tags: [messages]
      summary: Messages, newest first (staff)
      parameters:
        - {name: status, in: query, schema: {type: string, enum: [queued, deferred, retry, disabled, sending, sent, delivered, failed, expired, cancelled]}}
        - {name: contact, in: query, schema: {type: string}}
        - {name: template, in: query, schema: {type: string}}
        - {name: event, in: query, schema: {type: string}}
        - {name: since, in: query, schema: {type: string, minLength: 1}, description: "ISO 8601 with offset, or a duration back from now (24h)"}
        - {name: until, in: query, schema: {type: string, minLength: 1}}
        - {name: before, in: query, schema: {type: integer}, description: The next page (the previous page's next)}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
      responses:
        "200":
          description: A page of messages (phones masked)
          content:
            application/json:
              schema: {type: object, properties: {messages: {type: array, items: {$ref: "#/components/schemas/Message"}}, next: {type: [integer, "null"]}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "422": {$ref: "#/components/responses/Invalid"}
  /v1/messages/{id}:
    get:
      tags: [messages]
      summary: One message with every attempt and delivery report (staff; backend, to follow up the messages its events caused)
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        "200":
          description: The message and its attempts
          content:
            application/json:
              schema: {type: object, properties: {message: {$ref: "#/components/schemas/Message"}, attempts: {type: array, items: {type: object}}, reports: {type: array, items: {type: object}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
  /v1/messages/{id}:resend:
    post:
      tags: [messages]
      summary: Send a finished message again (staff)
      description: Queues a copy (sent, delivered, failed or expired messages); refused when the person has since opted out.
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        "201": {description: The new message, content: {application/json: {schema: {$ref: "#/components/schemas/Message"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {description: "Opted out, or still on its way", content: {application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}}}
  /v1/campaigns:
    post:
      tags: [messages]
      summary: One template to many contacts, each with their own parameters (backend)
      description: Answers at once (202) with the campaign's id; the policy applies to each person in the background.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [template, recipients]
              properties:
                id: {type: string, description: "Default: campaign-TEMPLATE-RANDOM"}
                template: {type: string}
                params: {type: object, description: Parameters for every recipient}
                recipients:
                  type: array
                  maxItems: 1000000
                  items:
                    type: object
                    properties:
                      contact: {type: string}
                      phone: {type: string}
                      name: {type: string}
                      language: {type: string}
                      timeZone: {type: string}
                      region: {type: string}
                      params: {type: object}
      responses:
        "202": {description: Started, content: {application/json: {schema: {$ref: "#/components/schemas/Campaign"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "409": {description: The id exists, content: {application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}}}
        "413": {$ref: "#/components/responses/TooLarge"}
        "422": {$ref: "#/components/responses/Invalid"}
  /v1/campaigns/{id}:
    get:
      tags: [messages]
      summary: A campaign's progress (backend, staff)
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: Its progress, content: {application/json: {schema: {$ref: "#/components/schemas/Campaign"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
  /v1/stats:
    get:
      tags: [messages]
      summary: Totals, success and failure rates, by template, status and event type (staff)
      parameters:
        - {name: since, in: query, schema: {type: string, minLength: 1}, description: "ISO 8601 with offset, or a duration back from now (24h, 7d)"}
        - {name: until, in: query, schema: {type: string, minLength: 1}}
        - {name: contact, in: query, schema: {type: string}}
      responses:
        "200": {description: The statistics, content: {application/json: {schema: {type: object}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "422": {$ref: "#/components/responses/Invalid"}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer, description: "An API key (hk_…), made with herald keys new"}
    customerToken: {type: http, scheme: bearer, description: "A customer token (hct_…) for one contact"}
  responses:
    BadRequest: {description: Malformed JSON or body, content: {application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}}}
    Unauthorized: {description: "No key, or a key or token that is not valid", content: {application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}}}
    Forbidden: {description: The key's role may not do this, content: {application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}}}
    NotFound: {description: Not found, content: {application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}}}
    TooLarge: {description: The body is over the limit, content: {application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}}}
    Invalid: {description: A field is wrong (its path and the reason are given), content: {application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}}}
  schemas:
    Problem:
      type: object
      description: RFC 9457 problem details
      properties:
        type: {type: string}
        title: {type: string}
        status: {type: integer}
        detail: {type: string}
        instance: {type: string}
        errors: {type: array, items: {type: object, properties: {field: {type: string}, reason: {type: string}}}}
    Health:
      type: object
      properties: {status: {type: string}, database: {type: string}, worker: {type: boolean}, queue: {type: integer}, version: {type: string}}
    Event:
      type: object
      required: [id, type, data]
      properties:
        id: {type: string, examples: [evt-1042]}
        type: {type: string, examples: [case.assigned]}
        occurredAt: {type: string, format: date-time, description: "When it happened; left out, the time Herald receives it"}
        data: {type: object, description: "The fields its type declares (Events/), with the people: id, phone, language, timeZone"}
    Decision:
      type: object
      properties:
        template: {type: string}
        audience: {type: string}
        contact: {type: string}
        action: {type: string, enum: [send, defer, suppress]}
        reason: {type: string, enum: [opted_out, no_phone, invalid_phone, self_action, rate_limited, expired, sms_disabled, over_budget]}
        detail: {type: string}
        category: {type: string}
        dueAt: {type: string}
        expiresAt: {type: string}
        messageID: {type: integer}
        locale: {type: string}
        timeZone: {type: string}
        trace: {type: array, items: {type: object}}
    EventResult:
      type: object
      properties:
        event: {type: string}
        type: {type: string}
        duplicate: {type: boolean}
        summary: {type: string, examples: ["SMS to the assignee (u-17, am)"]}
        decisions: {type: array, items: {$ref: "#/components/schemas/Decision"}}
    Rendered:
      type: object
      properties:
        template: {type: string}
        text: {type: string}
        encoding: {type: string, enum: [GSM-7, UCS-2]}
        units: {type: integer}
        segments: {type: integer}
        replacements: {type: array, items: {type: object}}
        forcedUCS2: {type: array, items: {type: string}}
        room: {type: integer, description: "Septets or UTF-16 units free before one more segment"}
        withoutUCS2: {type: object, description: "For UCS-2: the count were the characters that force it GSM-7", properties: {encoding: {type: string}, units: {type: integer}, segments: {type: integer}}}
        messageLocale: {type: string}
        formattingLocale: {type: string}
        timeZone: {type: string}
    Template:
      type: object
      properties:
        template: {type: object}
        locales: {type: array, items: {type: string}}
        messages: {type: object, additionalProperties: {type: string}}
    Preferences:
      type: object
      properties:
        contact: {type: string}
        language: {type: string}
        languageSource: {type: string, enum: [contact, event, default]}
        timeZone: {type: string}
        timeZoneSource: {type: string, enum: [contact, event, default]}
        quietHours: {type: string}
        quietHoursSource: {type: string}
        optedOutAll: {type: boolean}
        optedOutCategories: {type: array, items: {type: string}}
        categories: {type: array, items: {type: string}}
        changes:
          type: object
          description: After a change, what it did to the person's waiting messages
          properties:
            cancelled: {type: integer}
            deferred: {type: integer}
            released: {type: integer}
            expired: {type: integer}
    DeliveryReport:
      type: object
      additionalProperties: false
      required: [status]
      properties:
        reference: {type: [string, number, "null"], minLength: 1, description: "The provider's id, Herald's message id, or the idempotency key; one of reference, id and messageId is needed (null is the same as absent)"}
        id: {type: [string, number, "null"], description: Same as reference (read when reference is absent)}
        messageId: {type: [string, number, "null"], description: Same as reference (read when reference and id are absent)}
        status: {type: string, enum: [delivered, failed, expired]}
        errorCode: {type: [string, number, "null"]}
        error: {type: [string, number, "null"]}
    Message:
      type: object
      required: [id, event, template, contact, phone, category, priority, locale, timeZone, text, encoding, units, segments, status, createdAt, dueAt, expiresAt, attempts]
      properties:
        id: {type: integer}
        event: {type: string}
        template: {type: string, description: "The template's id; '-' for a message written by hand or a keyword reply"}
        contact: {type: string, description: Masked when it is a phone number}
        phone: {type: string, description: Masked}
        category: {type: string}
        priority: {type: string, enum: [normal, urgent]}
        locale: {type: string, description: The locale it is written in}
        timeZone: {type: string}
        text: {type: string}
        encoding: {type: string, enum: [GSM-7, UCS-2]}
        units: {type: integer, description: Septets (GSM-7) or UTF-16 units (UCS-2)}
        segments: {type: integer}
        status: {type: string, enum: [queued, deferred, retry, disabled, sending, sent, delivered, failed, expired, cancelled]}
        reason: {type: string, enum: [opted_out, quiet_hours, expired], description: "Why the policy left it in its status"}
        createdAt: {type: string, format: date-time}
        dueAt: {type: string, format: date-time}
        expiresAt: {type: string, format: date-time}
        attempts: {type: integer}
        providerID: {type: string}
        lastError: {type: string}
        sentAt: {type: string, format: date-time}
        finishedAt: {type: string, format: date-time}
        resendOf: {type: integer}
    Campaign:
      type: object
      properties:
        id: {type: string}
        state: {type: string, enum: [running, done, interrupted, failed]}
        template: {type: string}
        rows: {type: integer}
        processed: {type: integer}
        refused: {type: array, items: {type: object, properties: {index: {type: integer}, reason: {type: string}}}}
        counts: {type: object}
        startedAt: {type: string}
        finishedAt: {type: string}
"""#
}
