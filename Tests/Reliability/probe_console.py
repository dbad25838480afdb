"""The console in a real browser: Debian's chromium driven by selenium against a real `herald serve`. An author
opens the studio and types a French draft with a curly apostrophe (flagged outside GSM-7, with the ' Herald writes
for it) and an ê (UCS-2: no stand-in), then a <script> that must show as text; switches to Amharic; staff open a
message's story and a person whose reminder is waiting, opt them out of its category and see it cancelled. A
customer's token and a backend key are refused. Screenshots of each step go to the probe's folder
(.build/console-screenshots when kept by the harness).
"""
import datetime
import json
import os
import shutil
import time

from support import Checks, Herald, Keys, Workspace, ROOT, log


def run(ctx):
    checks = Checks("console")
    try:
        from selenium import webdriver
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select, WebDriverWait
    except ImportError:
        checks.add("selenium is installed", False, "pip install selenium (scripts/harness installs it into .build-venv)")
        return checks
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_bin = shutil.which("chromedriver")
    if not chromium or not driver_bin:
        checks.add("chromium and chromedriver are installed", False,
                   "apt-get install chromium chromium-driver (scripts/setup.sh installs them)")
        return checks

    ws = Workspace("console", keep=ctx.keep)
    shots = os.path.join(ROOT, ".build", "console-screenshots")
    os.makedirs(shots, exist_ok=True)
    keys = Keys(ctx.herald, ws.path)
    server = Herald(ctx.herald, ws.path, keys).start()
    browser = None
    try:
        admin = server.client("admin")
        backend = server.client("backend")
        now = datetime.datetime.now(datetime.timezone.utc)
        # A case assigned now (sent at once) and an appointment in three days (its reminder waits until the day
        # before): the messages the story and the people page show.
        assigned = {"id": "console-case-1", "type": "case.assigned", "occurredAt": now.isoformat(),
                     "data": {"case": {"number": "C-77", "title": "Écran <b>cassé</b>"},
                              "assignee": {"id": "console-agent", "phone": "+251911223344", "name": "Selam", "language": "am"},
                              "actor": {"id": "console-boss"}}}
        at = (now + datetime.timedelta(days=3)).replace(microsecond=0).isoformat()
        reminder = {"id": "console-apt-1", "type": "appointment.reminder", "occurredAt": now.isoformat(),
                    "data": {"appointment": {"at": at},
                             "customer": {"id": "console-customer", "phone": "+21620123456", "firstName": "Amine",
                                          "language": "fr", "timeZone": "Africa/Tunis"},
                             "car": {"make": "Peugeot", "model": "208"}}}
        for event in (assigned, reminder):
            status, body = backend.json("POST", "/v1/events", event)
            if status not in (200, 201):
                raise RuntimeError(f"POST /v1/events answered {status}: {body}")
        status, token = backend.json("POST", "/v1/contacts/console-customer/tokens", {})

        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1700",
                     "--no-first-run", "--disable-extensions", "--lang=en"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        browser = webdriver.Chrome(service=webdriver.ChromeService(executable_path=driver_bin), options=options)
        wait = WebDriverWait(browser, 20)
        base = f"http://127.0.0.1:{server.port}"

        def shot(name):
            path = os.path.join(shots, f"{name}.png")
            browser.save_screenshot(path)
            return path

        def sign_in(key):
            browser.get(base + "/console")
            wait.until(lambda b: b.find_element(By.ID, "signin").is_displayed() or b.find_element(By.ID, "nav").is_displayed())
            if browser.find_element(By.ID, "nav").is_displayed():
                browser.find_element(By.ID, "signout").click()
            field = wait.until(lambda b: b.find_element(By.ID, "key"))
            field.clear()
            field.send_keys(key)
            browser.find_element(By.CSS_SELECTOR, "#signin button").click()

        # Refused: a backend key and a customer's token; the page says why and shows nothing.
        sign_in(keys.key["backend"])
        refused = wait.until(lambda b: b.find_element(By.ID, "signin-error").text)
        sign_in(token.get("token", "nope") if isinstance(token, dict) else "nope")
        refused_token = wait.until(lambda b: b.find_element(By.ID, "signin-error").text)
        checks.add("a backend key and a customer's token cannot open the console",
                   "backend key cannot open the console" in refused and bool(refused_token)
                   and not browser.find_element(By.ID, "nav").is_displayed(),
                   f"backend: {refused!r}; token: {refused_token!r}")
        browser.get_log("browser")  # the refused sign-ins' 403s, expected; later checks want none

        # The studio, as an author.
        sign_in(keys.key["author"])
        wait.until(lambda b: b.find_element(By.ID, "nav").is_displayed())
        browser.get(base + "/console#studio")
        template = wait.until(lambda b: b.find_element(By.ID, "template"))
        Select(template).select_by_value("invoice.created")
        Select(browser.find_element(By.ID, "locale")).select_by_value("fr")
        wait.until(lambda b: "une nouvelle facture" in b.find_element(By.ID, "draft").get_attribute("value"))
        draft = browser.find_element(By.ID, "draft")
        draft.clear()
        draft.send_keys("Bonjour {firstName}, l’équipe a préparé la facture {invoiceNumber} : {total, number, ::currency/TND}. Êtes-vous prêt ?")
        card = lambda b: b.find_element(By.CSS_SELECTOR, "article.locale[data-locale=fr]")
        wait.until(lambda b: "l’équipe" in card(b).find_element(By.CSS_SELECTOR, ".sms").text)
        encoding = card(browser).find_element(By.ID, "encoding-fr").text
        marks = [m.get_attribute("data-char") for m in card(browser).find_elements(By.CSS_SELECTOR, "mark.ucs2")]
        rows = {r.find_element(By.CSS_SELECTOR, "td.char").get_attribute("data-char"): r.text
                for r in card(browser).find_elements(By.CSS_SELECTOR, "table.characters tr") if r.find_elements(By.CSS_SELECTOR, "td.char")}
        studio_shot = shot("studio-fr-draft")
        checks.add("studio: a French draft with ’ and Ê is UCS-2, each character highlighted with Herald's stand-in",
                   encoding == "UCS-2" and "’" in marks and "Ê" in marks and "'" in rows.get("’", "")
                   and "none: the message goes as UCS-2" in rows.get("Ê", ""),
                   f"encoding {encoding}; highlighted {' '.join(f'U+{ord(m):04X}' for m in marks if m)}; {studio_shot}")
        yaml = card(browser).find_element(By.CSS_SELECTOR, "pre.yaml").text
        checks.add("studio: the YAML to paste holds the draft", "invoice.created: |2-" in yaml and "l’équipe" in yaml, yaml[:80])

        # A syntax error at its line and column; then a script in the draft shows as text.
        draft.send_keys("\n{total")
        wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "article.locale[data-locale=fr] ul.diagnostics li.error"))
        diagnostic = card(browser).find_element(By.CSS_SELECTOR, "ul.diagnostics li.error").text
        checks.add("studio: a syntax error is shown at the draft's line and column", diagnostic.startswith("draft:2:"), diagnostic)
        draft.clear()
        draft.send_keys("<script>window.pwned=1</script><img src=x onerror=window.pwned=2> {firstName}")
        wait.until(lambda b: "<script>" in card(b).find_element(By.CSS_SELECTOR, ".sms").text)
        pwned = browser.execute_script("return window.pwned === undefined")
        injected = browser.find_elements(By.CSS_SELECTOR, "#view script, #view img")
        checks.add("studio: a template text with <script> shows as text and runs nothing", pwned and not injected,
                   f"scripts or images added: {len(injected)}")

        # Amharic, side by side with nothing else to change: UCS-2, Ethiopic letters flagged with no stand-in.
        browser.find_element(By.ID, "reset").click()
        Select(browser.find_element(By.ID, "locale")).select_by_value("am")
        wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "article.locale[data-locale=am]"))
        am = browser.find_element(By.CSS_SELECTOR, "article.locale[data-locale=am]")
        wait.until(lambda b: am.find_element(By.CSS_SELECTOR, ".sms").text.strip())
        am_text = am.find_element(By.CSS_SELECTOR, ".sms").text
        am_encoding = am.find_element(By.ID, "encoding-am").text
        shot("studio-am")
        checks.add("studio: switched to Amharic, the message is UCS-2 in Ethiopic script",
                   am_encoding == "UCS-2" and any(0x1200 <= ord(ch) <= 0x137F for ch in am_text), f"{am_encoding}: {am_text[:40]}")

        # Messages and a story, as staff.
        sign_in(keys.key["staff"])
        wait.until(lambda b: b.find_element(By.ID, "nav").is_displayed())
        browser.get(base + "/console#messages")
        row = wait.until(lambda b: b.find_element(By.XPATH, "//table[@id='message-list']//tr[td[text()='case.assigned']]"))
        row.click()
        story = wait.until(lambda b: b.find_element(By.ID, "story"))
        wait.until(lambda b: "Decision" in b.find_element(By.ID, "story").text)
        story_text = story.text
        shot("message-story")
        checks.add("messages: one message's story shows its text, the rules and policy that decided, and its attempts",
                   "Why: the rules and the policy" in story_text and "quiet_hours" in story_text and "Attempts" in story_text
                   and "Delivery reports" in story_text
                   and bool(story.find_elements(By.CSS_SELECTOR, "table.rules td.good")),
                   story_text.splitlines()[0] if story_text else "")
        sms = story.find_element(By.CSS_SELECTOR, ".sms").text
        checks.add("messages: values from an event show as text", "<b>cassé</b>" in sms and not browser.find_elements(By.CSS_SELECTOR, "#view b"), sms[:60])

        # A person with a waiting reminder: opt them out of its category here; the reminder is cancelled.
        browser.get(base + "/console#people/console-customer")
        wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "#preferences"))
        waiting_before = len(browser.find_elements(By.CSS_SELECTOR, "#view #message-list tr.clickable"))
        box = browser.find_element(By.CSS_SELECTOR, "input[name=category][value=service]")
        if not box.is_selected():
            box.click()
        browser.find_element(By.CSS_SELECTOR, "#preferences button[type=submit]").click()
        saved = wait.until(lambda b: b.find_element(By.ID, "saved").text)
        waiting_after = len(browser.find_elements(By.CSS_SELECTOR, "#view #message-list tr.clickable"))
        shot("people-opted-out")
        status, stats = admin.json("GET", "/v1/messages?contact=console-customer")
        states = [m["status"] for m in stats.get("messages", [])] if status == 200 else []
        checks.add("people: opting out of a category here cancels the waiting message, as the API would",
                   waiting_before == 1 and waiting_after == 0 and "1 waiting message(s) cancelled" in saved and states == ["cancelled"],
                   f"waiting {waiting_before} → {waiting_after}; {saved!r}; statuses {states}")

        # Statistics.
        browser.get(base + "/console#stats")
        wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "svg.chart rect"))
        shot("statistics")
        today = now.strftime("%Y-%m-%d")
        charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
        by_day = next((c for c in charts if c.get_attribute("aria-label").startswith("Messages by day")), None)
        labels = [t.text for t in by_day.find_elements(By.TAG_NAME, "text")] if by_day else []
        checks.add("statistics: charts by day, status, template and locale", len(charts) >= 6 and today in labels,
                   f"{len(charts)} charts; days {[l for l in labels if l[:2] == '20']}")

        # Nothing from elsewhere, no error in the browser's console, no key in an address.
        errors = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
        key_in_url = any(k in browser.current_url for k in keys.key.values())
        checks.add("no browser error, no key in an address",
                   not errors and not key_in_url, json.dumps(errors)[:300])
        shutil.copy(studio_shot, os.path.join(ROOT, ".build", "console-studio.png"))
        log(f"console: screenshots in {shots}")
    except Exception as error:
        if browser is not None:
            try:
                browser.save_screenshot(os.path.join(shots, "failure.png"))
            except Exception:
                pass
        checks.add("the console's walk-through ran to the end", False, f"{type(error).__name__}: {error}; screenshots in {shots}")
    finally:
        if browser is not None:
            browser.quit()
        server.stop()
        ctx.keep_log(server, list(keys.key.values()))
        ws.close()
    return checks
