import Foundation
import Hummingbird
import NIOCore
import TraceLedger

/// The console's HTML: escaping, the page frame, and its one stylesheet and script, all embedded in the binary
/// (no CDN, no web fonts: the console works on a machine with no internet).
enum HTML {
    /// Text made safe for an element's content or a quoted attribute.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control and bidi-override characters are shown, never obeyed (as the CLI escapes them).
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" || (0x7F...0x9F).contains(scalar.value)
                    || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
                {
                    out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// A query-string or path component.
    static func component(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? ""
    }

    /// A time in UTC; the script puts the reader's local time in its title.
    static func time(_ time: Timestamp) -> String {
        let text = time.rfc3339
        let shown = text.replacingOccurrences(of: "T", with: " ").prefix(19) + " UTC"
        return "<time datetime=\"\(escape(text))\">\(escape(String(shown)))</time>"
    }

    static func link(_ href: String, _ text: String) -> String {
        "<a href=\"\(escape(href))\">\(escape(text))</a>"
    }

    /// A whole page: the navigation the viewer may use, then `body`.
    static func page(title: String, viewer: ConsoleViewer, body: String) -> String {
        var navigation = [("/", "Search")]
        if viewer.may(.audit) { navigation += [("/findings", "Findings"), ("/integrity", "Integrity")] }
        if viewer.may(.operate) { navigation.append(("/feeds", "Feeds")) }
        if viewer.may(.read) { navigation.append(("/live", "Live")) }
        let links = navigation.map { link($0.0, $0.1) }.joined(separator: " ")
        let who =
            viewer.name.map {
                "<form method=\"post\" action=\"/sign-out\" class=\"who\">\(escape($0)) "
                    + viewer.csrfField + "<button type=\"submit\">Sign out</button></form>"
            } ?? ""
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · TraceLedger</title>
            <link rel="stylesheet" href="/console.css">
            <link rel="icon" href="/favicon.svg" type="image/svg+xml">
            </head><body>
            <header><a class="brand" href="/">TraceLedger</a><nav>\(links)</nav>
            <form class="search" method="get" action="/search" role="search">
            <input name="q" aria-label="Search" placeholder="order, trace, entity, event id or actor">
            </form>\(who)</header>
            <main>\(body)</main>
            <script src="/console.js"></script>
            </body></html>
            """
    }

    /// A response carrying `html`.
    static func response(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                // The pages load only their own stylesheet and script; nothing may frame them.
                .init("Content-Security-Policy")!:
                    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
                    + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                .init("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The console's icon: a chain link's two rings.
    static let favicon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1f5fbf"/>\
        <circle cx="12" cy="16" r="6" fill="none" stroke="#fff" stroke-width="3"/>\
        <circle cx="20" cy="16" r="6" fill="none" stroke="#fff" stroke-width="3"/></svg>
        """

    static let stylesheet = """
        :root { --ink: #1d2330; --muted: #5b6475; --line: #d5d9e0; --bg: #f6f7f9; --accent: #1f5fbf;
          --critical: #b3261e; --high: #c4610a; --medium: #7a6a00; --ok: #1b7a3d; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
          color: var(--ink); background: var(--bg); }
        header { display: flex; gap: 16px; align-items: center; padding: 8px 16px; background: #fff;
          border-bottom: 1px solid var(--line); flex-wrap: wrap; }
        header nav a { margin-right: 12px; }
        .brand { font-weight: 700; color: var(--ink); text-decoration: none; }
        .search input { width: 340px; padding: 5px 8px; border: 1px solid var(--line); border-radius: 4px; }
        .who { margin-left: auto; color: var(--muted); }
        main { padding: 16px; max-width: 1400px; }
        a { color: var(--accent); }
        a:focus, button:focus, input:focus { outline: 2px solid var(--accent); outline-offset: 1px; }
        h1 { font-size: 20px; margin: 0 0 8px; } h2 { font-size: 16px; margin: 20px 0 8px; }
        table { border-collapse: collapse; background: #fff; width: 100%; }
        th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; }
        tr.selected td { background: #eaf1fd; }
        code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
        pre { background: #fff; border: 1px solid var(--line); padding: 8px; overflow: auto; max-height: 420px; }
        .panel { background: #fff; border: 1px solid var(--line); padding: 12px; margin: 12px 0; }
        .muted { color: var(--muted); }
        .sev-critical { color: var(--critical); font-weight: 700; } .sev-high { color: var(--high); font-weight: 700; }
        .sev-medium { color: var(--medium); font-weight: 700; } .ok { color: var(--ok); font-weight: 700; }
        .bad { color: var(--critical); font-weight: 700; }
        .timeline { background: #fff; border: 1px solid var(--line); overflow-x: auto; }
        .timeline svg { display: block; }
        .timeline text { font: 11px system-ui, sans-serif; fill: #1d2330; }
        .timeline text.lane { font-weight: 600; } .timeline .gap { fill: #5b6475; }
        .timeline text.finding { fill: #b3261e; font-weight: 600; }
        .timeline a:focus circle { stroke: var(--accent); stroke-width: 3; }
        .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; }
        .card { background: #fff; border: 1px solid var(--line); padding: 10px 12px; }
        .card b { display: block; font-size: 18px; }
        form.inline { display: inline-flex; gap: 6px; align-items: center; }
        input[type=text] { padding: 4px 6px; border: 1px solid var(--line); border-radius: 4px; }
        button { padding: 4px 10px; border: 1px solid var(--line); background: #fff; border-radius: 4px; cursor: pointer; }
        .notice { padding: 8px 12px; border-left: 4px solid var(--accent); background: #fff; margin: 8px 0; }
        .error { border-left-color: var(--critical); }
        """

    /// Local time on hover, for every `<time>`; the slider's form sent as it moves; the live page's stream.
    /// Nothing else runs in the browser: every page works without it.
    static let script = """
        "use strict";
        for (const t of document.querySelectorAll("time[datetime]")) {
          const d = new Date(t.getAttribute("datetime"));
          if (!isNaN(d)) t.title = "local: " + d.toLocaleString();
        }
        for (const form of document.querySelectorAll("form.autosubmit")) {
          form.addEventListener("change", () => form.submit());
        }
        const live = document.getElementById("live-events");
        if (live) {
          const domain = live.dataset.domain || "";
          const url = "/live/stream" + (domain ? "?domain=" + encodeURIComponent(domain) : "");
          const source = new EventSource(url);
          source.addEventListener("open", () => { live.dataset.connected = "yes"; });
          source.addEventListener("message", (message) => {
            const event = JSON.parse(message.data);
            const row = document.createElement("tr");
            const cells = [event.position, event.recordedAt, event.origin, event.type,
              event.domain + "/" + event.entityId, event.actor];
            for (const text of cells) {
              const cell = document.createElement("td");
              cell.textContent = String(text);
              row.appendChild(cell);
            }
            const link = document.createElement("a");
            link.href = "/traces/" + encodeURIComponent(event.traceId) + "?event=" + event.position;
            link.textContent = "trace";
            const cell = document.createElement("td");
            cell.appendChild(link);
            row.appendChild(cell);
            live.prepend(row);
            while (live.rows.length > 200) live.deleteRow(-1);
          });
        }
        """
}
