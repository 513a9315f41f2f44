#!/usr/bin/env python3
"""Drives headless Chromium through the DevTools protocol, for the console's tests.

Usage: drive.py PLAN.json   (prints one JSON object: the named results, console errors, final URL)

A plan is a list of steps, run in order in one tab:
  {"goto": URL}                          load a page and wait for it
  {"fill": CSS, "value": TEXT}           set an input's value
  {"submit": CSS}                        submit the form the element belongs to, wait for the next page
  {"set": CSS, "value": TEXT}            set an input's value and fire its change event (an autosubmit form
                                         navigates), then wait for the next page
  {"eval": JS, "name": KEY}              evaluate an expression; its JSON value is results[KEY]
  {"screenshot": PATH}                   save a PNG of the whole page
Every exception thrown in a page, console.error call and browser log entry of level error (a blocked
resource, a refused script) is reported in "errors", with the URL it happened on.
"""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket  # PyPI websocket-client


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("no chromium on PATH: install Debian's chromium package (tools/install-dependencies.sh)")


class Tab:
    def __init__(self, url):
        self.socket = websocket.create_connection(url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events = []
        self.errors = []
        self.location = ""
        for domain in ("Page", "Runtime", "Log"):
            self.call(domain + ".enable")

    def call(self, method, **params):
        self.next_id += 1
        mine = self.next_id
        self.socket.send(json.dumps({"id": mine, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == mine:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.note(message)

    def note(self, message):
        method = message.get("method")
        params = message.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text")
            self.errors.append({"url": self.location, "error": text})
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            text = " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", []))
            self.errors.append({"url": self.location, "error": text})
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            self.errors.append({"url": entry.get("url") or self.location, "error": entry.get("text")})
        else:
            self.events.append(message)

    def wait_for(self, method, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for index, event in enumerate(self.events):
                if event.get("method") == method:
                    del self.events[: index + 1]
                    return event
            self.socket.settimeout(max(0.1, deadline - time.time()))
            try:
                self.note(json.loads(self.socket.recv()))
            except websocket.WebSocketTimeoutException:
                break
        raise RuntimeError(f"timed out waiting for {method} on {self.location}")

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    def navigating(self, action):
        """Runs `action`, which starts a navigation, and waits for the page it leads to."""
        self.events = [event for event in self.events if event.get("method") != "Page.loadEventFired"]
        action()
        self.wait_for("Page.loadEventFired")
        self.location = self.evaluate("location.href")


def run(plan):
    profile = tempfile.mkdtemp(prefix="traceledger-chromium-")
    process = subprocess.Popen(
        [chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-extensions", "--hide-scrollbars", "--window-size=1280,800",
         f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        browser = None
        deadline = time.time() + 30
        while time.time() < deadline and browser is None:
            line = process.stderr.readline()
            match = re.search(r"DevTools listening on (ws://\S+)", line)
            if match:
                browser = match.group(1)
        if browser is None:
            sys.exit("chromium did not open its DevTools port")
        port = re.search(r":(\d+)/", browser).group(1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as answer:
            pages = [target for target in json.load(answer) if target["type"] == "page"]
        tab = Tab(pages[0]["webSocketDebuggerUrl"])
        results = {}
        for step in plan:
            if "goto" in step:
                tab.navigating(lambda: tab.call("Page.navigate", url=step["goto"]))
            elif "fill" in step:
                tab.evaluate(f"document.querySelector({json.dumps(step['fill'])}).value = {json.dumps(step['value'])}")
            elif "set" in step:
                tab.navigating(lambda: tab.evaluate(
                    f"(() => {{ const e = document.querySelector({json.dumps(step['set'])}); "
                    f"e.value = {json.dumps(step['value'])}; e.dispatchEvent(new Event('change', {{bubbles: true}})); }})()"))
            elif "submit" in step:
                tab.navigating(lambda: tab.evaluate(
                    f"document.querySelector({json.dumps(step['submit'])}).form.requestSubmit()"))
            elif "eval" in step:
                results[step["name"]] = tab.evaluate(step["eval"])
            elif "screenshot" in step:
                metrics = tab.call("Page.getLayoutMetrics")
                size = metrics["cssContentSize"]
                shot = tab.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                                clip={"x": 0, "y": 0, "width": 1280, "height": min(size["height"], 2400), "scale": 1})
                with open(step["screenshot"], "wb") as file:
                    file.write(base64.b64decode(shot["data"]))
        print(json.dumps({"results": results, "errors": tab.errors, "url": tab.location}))
    finally:
        process.kill()
        process.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    with open(sys.argv[1]) as file:
        run(json.load(file))
