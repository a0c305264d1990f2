/* The ecosystem map editor: draws a map with Cytoscape.js and saves every change through the
 * map's JSON routes (maps/api.py). The server checks each change; the drawing only changes after
 * the server has accepted it, so what you see is what is saved.
 *
 * Undo and redo replay changes through the same routes. A node or exchange brought back by undo
 * gets a new id from the server, so commands remember the id they first knew and look up the
 * current one through `alias`.
 *
 * Its words come from Django's JavaScript catalog (jsi18n/, loaded just before this script) in
 * the language of the page: `gettext` and `ngettext` translate, `fill` puts names and numbers
 * into the %(placeholders)s of a translated text.
 */
(function () {
  "use strict";

  const root = document.getElementById("map-editor");
  if (!root || typeof cytoscape === "undefined") return;
  if (typeof cytoscapeFcose !== "undefined") cytoscape.use(cytoscapeFcose);

  const config = JSON.parse(document.getElementById("editor-config").textContent);
  const look = JSON.parse(document.getElementById("map-style").textContent);
  const csrfToken = root.querySelector("[name=csrfmiddlewaretoken]").value;
  const $ = (id) => document.getElementById(id);
  const fill = (text, values) => interpolate(text, values, true);
  const statusLine = $("map-status");
  const savedLine = $("map-saved");
  const errorLine = $("map-error");
  const LARGE = 1500; // from this many nodes, draw with less detail so the map stays fluid

  let cy = null;
  let canEdit = false;
  const alias = new Map(); // the id a command first knew -> the id the server gave it later
  const current = (key) => {
    while (alias.has(key)) key = alias.get(key);
    return key;
  };

  /* --- Talking to the server ------------------------------------------------------------ */

  class ApiError extends Error {
    constructor(message, errors, status) {
      super(message);
      this.errors = errors || {};
      this.status = status;
    }
  }

  const url = {
    map: config.api,
    findings: config.api + "findings/",
    inventory: config.api + "inventory/",
    nodes: config.api + "nodes/",
    node: (key) => config.api + "nodes/" + key.slice(1) + "/",
    positions: config.api + "positions/",
    exchanges: config.api + "exchanges/",
    exchange: (key) => config.api + "exchanges/" + key.slice(1) + "/",
  };

  let pending = 0;
  let queue = Promise.resolve();

  function showStatus(text) {
    statusLine.textContent = text;
  }

  function showError(text) {
    errorLine.textContent = text;
    errorLine.hidden = !text;
  }

  async function call(method, address, body) {
    const options = {
      method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken },
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(address, options);
    } catch (error) {
      throw new ApiError(gettext("The server could not be reached: check your connection and try again."));
    }
    let data = {};
    try {
      data = await response.json();
    } catch (error) {
      if (response.ok) throw new ApiError(gettext("The server sent an answer the editor cannot read."));
    }
    if (!response.ok) {
      const fallback = response.status === 403
        ? gettext("This change was refused: your session may have ended, or your role does not allow it.")
        : fill(gettext("The change was refused (%(status)s)."), { status: response.status });
      throw new ApiError(data.message || fallback, data.errors, response.status);
    }
    return data;
  }

  /** Changes are sent one after another, in the order they were made. */
  function save(work) {
    pending += 1;
    savedLine.textContent = gettext("Saving…");
    const run = queue.then(work);
    queue = run
      .then(
        () => gettext("All changes saved."),
        () => gettext("The last change was not saved."),
      )
      .then((outcome) => {
        pending -= 1;
        if (pending === 0) savedLine.textContent = outcome;
        refreshFindingsSoon();
      });
    return run;
  }

  /* --- Drawing -------------------------------------------------------------------------- */

  function nodeElement(node) {
    const classes = [node.type];
    if (node.type === "dataset" && node.status && node.status !== "exists") classes.push(node.status);
    return {
      group: "nodes",
      data: { id: "n" + node.id, record: node, label: node.name },
      position: { x: node.x || 0, y: node.y || 0 },
      classes: classes.join(" "),
    };
  }

  function exchangeLabel(exchange) {
    if (exchange.kind === "data") return exchange.dataset || gettext("data not named");
    return look.kinds[exchange.kind].label;
  }

  function exchangeElement(exchange) {
    return {
      group: "edges",
      data: {
        id: "e" + exchange.id,
        source: "n" + exchange.source,
        target: "n" + exchange.target,
        record: exchange,
        label: exchangeLabel(exchange),
      },
      classes: [exchange.kind, exchange.status].join(" "),
    };
  }

  function styles(large) {
    const sheet = [
      {
        selector: "node",
        style: {
          width: look.nodeSize,
          height: look.nodeSize,
          "border-width": 2,
          label: "data(label)",
          "font-size": 12,
          "font-family": "DejaVu Sans, Arial, sans-serif",
          color: "#1f2933",
          "text-valign": "bottom",
          "text-halign": "center",
          "text-margin-y": 5,
          "text-wrap": "wrap",
          "text-max-width": 150,
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.85,
          "text-background-padding": 2,
          "min-zoomed-font-size": large ? 10 : 6,
        },
      },
      {
        selector: "edge",
        style: {
          width: 2,
          "curve-style": large ? "straight" : "bezier",
          "arrow-scale": 1.1,
          label: large ? "" : "data(label)",
          "font-size": 9,
          color: "#52606d",
          "text-rotation": "autorotate",
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.8,
          "text-background-padding": 1,
          "min-zoomed-font-size": 7,
        },
      },
    ];
    for (const [type, style] of Object.entries(look.nodes)) {
      sheet.push({
        selector: "node." + type,
        style: { shape: style.shape, "background-color": style.fill, "border-color": style.border },
      });
    }
    for (const [status, style] of Object.entries(look.datasetStatus)) {
      if (!style.fill) continue;
      sheet.push({
        selector: "node.dataset." + status,
        style: { "background-color": style.fill, "border-style": style.border_style, "border-width": 3 },
      });
    }
    for (const [status, style] of Object.entries(look.flows)) {
      const line = { "line-color": style.color, "target-arrow-color": style.color };
      if (style.dash.length) Object.assign(line, { "line-style": "dashed", "line-dash-pattern": style.dash });
      sheet.push({ selector: "edge." + status, style: line });
    }
    for (const [kind, style] of Object.entries(look.kinds)) {
      sheet.push({ selector: "edge." + kind, style: { "target-arrow-shape": style.arrow } });
    }
    sheet.push(
      { selector: "edge.blocked", style: { width: 3 } },
      { selector: ".filtered", style: { display: "none" } },
      { selector: ".faded", style: { opacity: 0.15 } },
      {
        selector: ".highlight",
        style: { "underlay-color": "#f5b700", "underlay-opacity": 0.55, "underlay-padding": 7 },
      },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#1d4ed8" } },
      {
        selector: "edge:selected",
        style: { width: 5, "underlay-color": "#1d4ed8", "underlay-opacity": 0.3, "underlay-padding": 4 },
      },
      { selector: "node.connect-from", style: { "border-width": 5, "border-color": "#f5b700" } },
    );
    return sheet;
  }

  /* --- Undo and redo -------------------------------------------------------------------- */

  const done = [];
  const undone = [];

  function updateHistoryButtons() {
    if (!canEdit) return;
    $("tool-undo").disabled = done.length === 0;
    $("tool-redo").disabled = undone.length === 0;
    $("tool-undo").title = done.length
      ? fill(gettext("Undo %(action)s (Ctrl+Z)"), { action: done[done.length - 1].label })
      : gettext("Nothing to undo");
    $("tool-redo").title = undone.length
      ? fill(gettext("Redo %(action)s (Ctrl+Shift+Z)"), { action: undone[undone.length - 1].label })
      : gettext("Nothing to redo");
  }

  /** Run a command (a change with its inverse) and remember it; returns its result. */
  async function perform(command) {
    showError("");
    const result = await save(() => command.redo());
    done.push(command);
    undone.length = 0;
    updateHistoryButtons();
    return result;
  }

  async function undo() {
    const command = done.pop();
    if (!command) return;
    updateHistoryButtons();
    try {
      await save(() => command.undo());
      undone.push(command);
      showStatus(fill(gettext("Undone: %(action)s."), { action: command.label }));
    } catch (error) {
      showError(fill(gettext("Could not undo %(action)s: %(error)s"), { action: command.label, error: error.message }));
    }
    updateHistoryButtons();
  }

  async function redo() {
    const command = undone.pop();
    if (!command) return;
    updateHistoryButtons();
    try {
      await save(() => command.redo());
      done.push(command);
      showStatus(fill(gettext("Redone: %(action)s."), { action: command.label }));
    } catch (error) {
      showError(fill(gettext("Could not redo %(action)s: %(error)s"), { action: command.label, error: error.message }));
    }
    updateHistoryButtons();
  }

  /* --- Changes, each as a command ------------------------------------------------------- */

  async function createNode(fields) {
    const node = await call("POST", url.nodes, fields);
    cy.add(nodeElement(node));
    return node;
  }

  async function createExchange(record, sourceKey, targetKey) {
    const fields = exchangeFields(record);
    fields.source = Number(current(sourceKey).slice(1));
    fields.target = Number(current(targetKey).slice(1));
    const exchange = await call("POST", url.exchanges, fields);
    cy.add(exchangeElement(exchange));
    return exchange;
  }

  function exchangeFields(record) {
    return {
      kind: record.kind,
      dataset: record.dataset_id,
      description: record.description,
      mechanism: record.mechanism,
      frequency: record.frequency,
      access: record.access,
      status: record.status,
      blocked_reasons: record.blocked_reasons,
      blocked_note: record.blocked_note,
    };
  }

  function addNodeCommand(fields) {
    let key = null;
    let record = null;
    return {
      label: fields.name ? fill(gettext("adding “%(name)s”"), { name: fields.name }) : gettext("adding a node"),
      async redo() {
        const request = record
          ? { type: record.type, inventory_id: record.inventory_id, roles: record.roles, x: record.x, y: record.y }
          : fields;
        const node = await createNode(request);
        if (key) alias.set(key, "n" + node.id);
        else key = "n" + node.id;
        record = node;
        this.label = fill(gettext("adding “%(name)s”"), { name: node.name });
        return node;
      },
      async undo() {
        const target = current(key);
        const position = cy.getElementById(target).position();
        await call("DELETE", url.node(target));
        Object.assign(record, { x: position.x, y: position.y });
        cy.getElementById(target).remove();
      },
    };
  }

  function removeNodeCommand(nodeKey) {
    let removed = null;
    const name = cy.getElementById(nodeKey).data("label");
    return {
      label: fill(gettext("removing “%(name)s”"), { name }),
      async redo() {
        const target = current(nodeKey);
        removed = await call("DELETE", url.node(target));
        cy.getElementById(target).remove();
      },
      async undo() {
        const node = removed.node;
        const back = await createNode({
          type: node.type, inventory_id: node.inventory_id, roles: node.roles, x: node.x, y: node.y,
        });
        alias.set(current(nodeKey), "n" + back.id);
        for (const exchange of removed.exchanges) {
          const again = await createExchange(exchange, "n" + exchange.source, "n" + exchange.target);
          alias.set(current("e" + exchange.id), "e" + again.id);
        }
      },
    };
  }

  function changeNodeCommand(nodeKey, before, after, label) {
    async function apply(fields) {
      const target = current(nodeKey);
      const node = await call("PATCH", url.node(target), fields);
      cy.getElementById(target).data("record", node);
      showSelection();
      return node;
    }
    return { label, redo: () => apply(after), undo: () => apply(before) };
  }

  function moveCommand(moves, label) {
    // moves: [[key, {x, y} before, {x, y} after], ...]
    async function apply(which) {
      const positions = moves.map(([key, before, after]) => {
        const point = which === "after" ? after : before;
        return { id: Number(current(key).slice(1)), x: point.x, y: point.y };
      });
      await call("POST", url.positions, { positions });
      cy.batch(() => {
        for (const position of positions) cy.getElementById("n" + position.id).position({ x: position.x, y: position.y });
      });
    }
    return { label, redo: () => apply("after"), undo: () => apply("before") };
  }

  function addExchangeCommand(record, sourceKey, targetKey) {
    let key = null;
    return {
      label: gettext("adding an exchange"),
      async redo() {
        const exchange = await createExchange(record, sourceKey, targetKey);
        if (key) alias.set(key, "e" + exchange.id);
        else key = "e" + exchange.id;
        return exchange;
      },
      async undo() {
        const target = current(key);
        await call("DELETE", url.exchange(target));
        cy.getElementById(target).remove();
      },
    };
  }

  function removeExchangeCommand(exchangeKey) {
    let removed = null;
    return {
      label: gettext("removing an exchange"),
      async redo() {
        const target = current(exchangeKey);
        removed = (await call("DELETE", url.exchange(target))).exchange;
        cy.getElementById(target).remove();
      },
      async undo() {
        const again = await createExchange(removed, "n" + removed.source, "n" + removed.target);
        alias.set(current(exchangeKey), "e" + again.id);
      },
    };
  }

  function changeExchangeCommand(exchangeKey, before, after) {
    async function apply(fields) {
      const target = current(exchangeKey);
      const exchange = await call("PATCH", url.exchange(target), fields);
      const element = cy.getElementById(target);
      element.data({ record: exchange, label: exchangeLabel(exchange) });
      element.classes([exchange.kind, exchange.status]);
      return exchange;
    }
    return { label: gettext("changing an exchange"), redo: () => apply(after), undo: () => apply(before) };
  }

  /* --- Findings ------------------------------------------------------------------------- */

  let findingsTimer = null;
  let activeFinding = null;

  function refreshFindingsSoon() {
    clearTimeout(findingsTimer);
    findingsTimer = setTimeout(loadFindings, 400);
  }

  async function loadFindings() {
    const list = $("findings-list");
    list.setAttribute("aria-busy", "true");
    try {
      const { findings } = await call("GET", url.findings);
      showFindings(findings);
    } catch (error) {
      list.replaceChildren(textItem(fill(gettext("The findings could not be worked out: %(error)s"), { error: error.message })));
    } finally {
      list.setAttribute("aria-busy", "false");
    }
  }

  function textItem(text) {
    const item = document.createElement("li");
    item.className = "muted";
    item.textContent = text;
    return item;
  }

  function showFindings(findings) {
    const list = $("findings-list");
    clearHighlight();
    $("findings-count").textContent = "(" + findings.length + ")";
    if (!findings.length) {
      list.replaceChildren(textItem(gettext("Nothing to report yet: add actors, data and the flows between them.")));
      return;
    }
    list.replaceChildren(
      ...findings.map((finding) => {
        const item = document.createElement("li");
        item.className = "finding severity-" + finding.severity;
        const button = document.createElement("button");
        button.type = "button";
        button.className = "finding-button";
        button.setAttribute("aria-pressed", "false");
        const title = document.createElement("strong");
        title.textContent = finding.title;
        const badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = SEVERITIES[finding.severity] || finding.severity;
        button.append(title, " ", badge);
        const text = document.createElement("p");
        text.textContent = finding.explanation;
        item.append(button, text);
        button.addEventListener("click", () => toggleFinding(finding, button));
        return item;
      }),
    );
  }

  // A finding's severity in words (the server gives its code).
  const SEVERITIES = {
    high: pgettext("finding severity", "high"),
    medium: pgettext("finding severity", "medium"),
    low: pgettext("finding severity", "low"),
    info: pgettext("finding severity", "for information"),
  };

  function clearHighlight() {
    if (!cy) return;
    cy.elements().removeClass("highlight faded");
    activeFinding = null;
    document.querySelectorAll(".finding-button[aria-pressed=true]").forEach((b) => b.setAttribute("aria-pressed", "false"));
  }

  function toggleFinding(finding, button) {
    const wasActive = activeFinding === finding;
    clearHighlight();
    if (wasActive) return;
    activeFinding = finding;
    button.setAttribute("aria-pressed", "true");
    let marked = cy.collection();
    for (const id of finding.nodes) marked = marked.union(cy.getElementById(current("n" + id)));
    for (const id of finding.exchanges) marked = marked.union(cy.getElementById(current("e" + id)));
    if (marked.empty()) return;
    cy.batch(() => {
      cy.elements().addClass("faded");
      marked.removeClass("faded").addClass("highlight");
      marked.connectedNodes().removeClass("faded");
    });
    cy.animate({ fit: { eles: marked.union(marked.connectedNodes()), padding: 60 }, duration: 300 });
  }

  /* --- Selection panel ------------------------------------------------------------------ */

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }

  function fact(list, term, value) {
    if (value === undefined || value === null || value === "") return;
    list.append(element("dt", { text: term }), element("dd", { text: value }));
  }

  function showSelection() {
    const body = $("selection-body");
    const selected = cy.$(":selected");
    if (selected.length !== 1) {
      body.replaceChildren(
        element("p", {
          class: "muted",
          text: selected.length
            ? fill(ngettext("%(count)s selected.", "%(count)s selected.", selected.length), { count: selected.length })
            : gettext("Nothing selected."),
        }),
      );
      return;
    }
    const item = selected[0];
    if (item.isNode()) showNode(body, item);
    else showExchange(body, item);
  }

  function showNode(body, item) {
    const node = item.data("record");
    const facts = element("dl", { class: "facts" });
    fact(facts, gettext("Type"), look.nodes[node.type].label);
    if (node.type === "dataset") {
      fact(facts, gettext("Status"), look.datasetStatus[node.status] ? look.datasetStatus[node.status].label : node.status);
      fact(facts, gettext("Data Spectrum"), config.spectrum[node.spectrum] || gettext("Not classified"));
    }
    fact(facts, gettext("Exchanges"), String(item.connectedEdges().length));
    const parts = [element("h3", { text: node.name }), facts];
    if (node.type === "actor") {
      const roles = element("fieldset", { class: "roles" }, element("legend", { text: gettext("Roles on this map") }));
      for (const [value, label] of Object.entries(config.roles)) {
        const box = element("input", { type: "checkbox", name: "roles", value });
        box.checked = node.roles.includes(value);
        box.disabled = !canEdit;
        roles.append(element("label", {}, box, " " + label));
      }
      parts.push(roles);
      if (canEdit) {
        const saveRoles = element("button", { type: "button", class: "secondary", text: gettext("Save roles") });
        saveRoles.addEventListener("click", () => {
          const after = [...roles.querySelectorAll("input:checked")].map((box) => box.value);
          const label = fill(gettext("changing roles of “%(name)s”"), { name: node.name });
          perform(changeNodeCommand(item.id(), { roles: node.roles }, { roles: after }, label))
            .then(() => showStatus(fill(gettext("Roles of “%(name)s” saved."), { name: node.name })))
            .catch((error) => showError(error.message));
        });
        parts.push(saveRoles);
      }
    }
    if (canEdit) {
      const actions = element("div", { class: "actions" });
      const connect = element("button", { type: "button", class: "secondary", text: gettext("Connect from here") });
      connect.addEventListener("click", () => startConnecting(item));
      const remove = element("button", { type: "button", class: "secondary", text: gettext("Remove from the map") });
      remove.addEventListener("click", () => removeSelected());
      actions.append(connect, remove);
      parts.push(actions);
    }
    body.replaceChildren(...parts);
  }

  function showExchange(body, item) {
    const exchange = item.data("record");
    const facts = element("dl", { class: "facts" });
    fact(facts, gettext("From"), item.source().data("label"));
    fact(facts, gettext("To"), item.target().data("label"));
    fact(facts, gettext("What"), config.kinds[exchange.kind] + (exchange.dataset ? ": " + exchange.dataset : ""));
    fact(facts, gettext("Status"), config.statuses[exchange.status]);
    if (exchange.blocked_reasons.length) {
      fact(facts, gettext("Why blocked"), exchange.blocked_reasons.map((r) => config.reasons[r]).join(", "));
    }
    fact(facts, gettext("Note"), exchange.blocked_note);
    fact(facts, gettext("Mechanism"), config.mechanisms[exchange.mechanism]);
    fact(facts, gettext("Frequency"), exchange.frequency);
    fact(facts, gettext("Access level"), config.access[exchange.access]);
    fact(facts, gettext("Description"), exchange.description);
    const parts = [element("h3", { text: gettext("Exchange") }), facts];
    if (canEdit) {
      const actions = element("div", { class: "actions" });
      const edit = element("button", { type: "button", class: "secondary", text: gettext("Edit exchange") });
      edit.addEventListener("click", () => openExchangeDialog({ edge: item }));
      const remove = element("button", { type: "button", class: "secondary", text: gettext("Remove exchange") });
      remove.addEventListener("click", () => removeSelected());
      actions.append(edit, remove);
      parts.push(actions);
    }
    body.replaceChildren(...parts);
  }

  /* --- Adding nodes --------------------------------------------------------------------- */

  let suggestions = new Map(); // "type:name" -> inventory record, from the last search

  async function suggest(type, query, list) {
    const params = new URLSearchParams({ q: query, kind: type });
    try {
      const { results } = await call("GET", url.inventory + "?" + params);
      suggestions = new Map(results.map((r) => [r.type + ":" + r.name.toLowerCase(), r]));
      list.replaceChildren(
        ...results.map((r) => element("option", { value: r.name, text: r.on_map ? gettext("already on the map") : gettext("in the inventory") })),
      );
    } catch (error) {
      list.replaceChildren();
    }
  }

  function debounce(fn, wait) {
    let timer = null;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), wait);
    };
  }

  function openNodeDialog() {
    const dialog = $("node-dialog");
    const form = $("node-form");
    form.reset();
    $("node-form-error").textContent = "";
    $("node-roles").hidden = false;
    dialog.showModal();
    $("node-name").focus();
    suggest($("node-type").value, "", $("node-suggestions"));
  }

  function viewportCentre() {
    const extent = cy.extent();
    const jitter = () => (Math.random() - 0.5) * 80;
    return { x: (extent.x1 + extent.x2) / 2 + jitter(), y: (extent.y1 + extent.y2) / 2 + jitter() };
  }

  async function submitNode(event) {
    event.preventDefault();
    const type = $("node-type").value;
    const name = $("node-name").value.trim();
    if (!name) {
      $("node-form-error").textContent = gettext("Give a name: pick one from the inventory or type a new one.");
      $("node-name").focus();
      return;
    }
    const roles = type === "actor" ? [...$("node-roles").querySelectorAll("input:checked")].map((b) => b.value) : [];
    const known = suggestions.get(type + ":" + name.toLowerCase());
    const fields = { type, roles, ...viewportCentre() };
    if (known) fields.inventory_id = known.id;
    else fields.name = name;
    try {
      const node = await perform(addNodeCommand(fields));
      $("node-dialog").close();
      cy.$(":selected").unselect();
      cy.getElementById("n" + node.id).select();
      showStatus(fill(gettext("Added “%(name)s” to the map."), { name: node.name }));
    } catch (error) {
      $("node-form-error").textContent = error.message;
    }
  }

  /* --- Connecting two nodes ------------------------------------------------------------- */

  let connectFrom = null;
  let connecting = false;

  function startConnecting(fromNode) {
    connecting = true;
    $("tool-connect").setAttribute("aria-pressed", "true");
    cy.nodes().removeClass("connect-from");
    connectFrom = fromNode || null;
    if (connectFrom) {
      connectFrom.addClass("connect-from");
      showStatus(fill(gettext("Now select the node “%(name)s” sends to. Escape cancels."), { name: connectFrom.data("label") }));
    } else {
      showStatus(gettext("Select the node the exchange comes from. Escape cancels."));
    }
  }

  function stopConnecting(message) {
    connecting = false;
    connectFrom = null;
    $("tool-connect").setAttribute("aria-pressed", "false");
    cy.nodes().removeClass("connect-from");
    if (message) showStatus(message);
  }

  function nodeTapped(node) {
    if (!connecting) return;
    if (!connectFrom) {
      connectFrom = node;
      node.addClass("connect-from");
      showStatus(fill(gettext("Now select the node “%(name)s” sends to. Escape cancels."), { name: node.data("label") }));
      return;
    }
    if (node.id() === connectFrom.id()) return;
    const from = connectFrom;
    stopConnecting();
    openExchangeDialog({ from, to: node });
  }

  /* --- The exchange dialog -------------------------------------------------------------- */

  let exchangeContext = null;
  let datasetChoices = new Map(); // lower-case title -> dataset id

  function datasetNodeBetween(from, to) {
    for (const end of [from, to]) if (end.data("record").type === "dataset") return end.data("record");
    return null;
  }

  function setReasonsVisibility() {
    const blocked = $("exchange-status").value === "blocked";
    $("exchange-reasons").hidden = !blocked;
    $("exchange-note-field").hidden = !blocked;
    $("exchange-dataset-field").hidden = $("exchange-kind").value !== "data";
  }

  function openExchangeDialog({ from, to, edge }) {
    const form = $("exchange-form");
    form.reset();
    $("exchange-form-error").textContent = "";
    datasetChoices = new Map();
    let record = null;
    if (edge) {
      record = edge.data("record");
      from = edge.source();
      to = edge.target();
      $("exchange-dialog-title").textContent = gettext("Edit exchange");
    } else {
      $("exchange-dialog-title").textContent = gettext("New exchange");
      const held = datasetNodeBetween(from, to);
      if (held) {
        record = { kind: "data", dataset_id: held.inventory_id, dataset: held.name, status: "active", blocked_reasons: [] };
      }
    }
    if (record) {
      $("exchange-kind").value = record.kind;
      $("exchange-status").value = record.status;
      $("exchange-dataset").value = record.dataset || "";
      if (record.dataset) datasetChoices.set(record.dataset.toLowerCase(), record.dataset_id);
      $("exchange-mechanism").value = record.mechanism || "";
      $("exchange-frequency").value = record.frequency || "";
      $("exchange-access").value = record.access || "";
      $("exchange-description").value = record.description || "";
      $("exchange-note").value = record.blocked_note || "";
      for (const box of $("exchange-reasons").querySelectorAll("input")) box.checked = (record.blocked_reasons || []).includes(box.value);
    }
    $("exchange-ends").textContent = fill(gettext("From “%(from)s” to “%(to)s”."), { from: from.data("label"), to: to.data("label") });
    exchangeContext = { from, to, edge };
    setReasonsVisibility();
    $("exchange-dialog").showModal();
    $("exchange-kind").focus();
  }

  async function suggestDatasets() {
    const params = new URLSearchParams({ q: $("exchange-dataset").value, kind: "dataset" });
    try {
      const { results } = await call("GET", url.inventory + "?" + params);
      for (const r of results) datasetChoices.set(r.name.toLowerCase(), r.id);
      $("dataset-suggestions").replaceChildren(...results.map((r) => element("option", { value: r.name })));
    } catch (error) {
      $("dataset-suggestions").replaceChildren();
    }
  }

  async function readExchangeForm() {
    const kind = $("exchange-kind").value;
    const status = $("exchange-status").value;
    const title = $("exchange-dataset").value.trim();
    let dataset = null;
    if (kind === "data" && title) {
      if (!datasetChoices.has(title.toLowerCase())) await suggestDatasets();
      dataset = datasetChoices.get(title.toLowerCase());
      if (dataset === undefined) {
        throw new ApiError(fill(gettext("“%(title)s” is not a dataset of the inventory: pick one from the list, or leave it empty."), { title }));
      }
    }
    return {
      kind,
      dataset,
      description: $("exchange-description").value.trim(),
      mechanism: $("exchange-mechanism").value,
      frequency: $("exchange-frequency").value.trim(),
      access: $("exchange-access").value,
      status,
      blocked_reasons: status === "blocked" ? [...$("exchange-reasons").querySelectorAll("input:checked")].map((b) => b.value) : [],
      blocked_note: status === "blocked" ? $("exchange-note").value.trim() : "",
    };
  }

  async function submitExchange(event) {
    event.preventDefault();
    const { from, to, edge } = exchangeContext;
    try {
      const fields = await readExchangeForm();
      if (edge) {
        const before = exchangeFields(edge.data("record"));
        await perform(changeExchangeCommand(edge.id(), before, fields));
        showStatus(gettext("Exchange saved."));
      } else {
        const record = { ...fields, dataset_id: fields.dataset };
        const exchange = await perform(addExchangeCommand(record, from.id(), to.id()));
        cy.$(":selected").unselect();
        cy.getElementById("e" + exchange.id).select();
        showStatus(gettext("Exchange added."));
      }
      $("exchange-dialog").close();
      showSelection();
    } catch (error) {
      $("exchange-form-error").textContent = error.message;
    }
  }

  /* --- Removing, moving, arranging ------------------------------------------------------ */

  async function removeSelected() {
    const selected = cy.$(":selected");
    if (selected.length !== 1) {
      showError(selected.length ? gettext("Remove one thing at a time.") : gettext("Select a node or an exchange first."));
      return;
    }
    const item = selected[0];
    try {
      if (item.isNode()) await perform(removeNodeCommand(item.id()));
      else await perform(removeExchangeCommand(item.id()));
      showStatus(gettext("Removed. Undo brings it back."));
      showSelection();
    } catch (error) {
      showError(error.message);
    }
  }

  let dragStart = new Map();

  function recordDragStart(event) {
    const moving = event.target.selected() ? cy.$("node:selected") : event.target;
    dragStart = new Map(moving.map((n) => [n.id(), { ...n.position() }]));
  }

  function saveDrag() {
    const moves = [];
    for (const [key, before] of dragStart) {
      const after = { ...cy.getElementById(key).position() };
      if (before.x !== after.x || before.y !== after.y) moves.push([key, before, after]);
    }
    dragStart = new Map();
    if (!moves.length) return;
    const label = fill(ngettext("moving a node", "moving %(count)s nodes", moves.length), { count: moves.length });
    perform(moveCommand(moves, label))
      .catch((error) => showError(fill(gettext("The new position was not saved: %(error)s"), { error: error.message })));
  }

  function arrange() {
    const before = new Map(cy.nodes().map((n) => [n.id(), { ...n.position() }]));
    showStatus(gettext("Arranging the map…"));
    const layout = cy.layout({
      name: typeof cytoscapeFcose !== "undefined" ? "fcose" : "cose",
      animate: false,
      randomize: true,
      quality: cy.nodes().length > LARGE ? "draft" : "default",
      nodeRepulsion: () => 9000,
      idealEdgeLength: () => 140,
      nodeSeparation: 120,
      padding: 40,
    });
    layout.one("layoutstop", () => {
      const moves = cy.nodes().map((n) => [n.id(), before.get(n.id()), { ...n.position() }]);
      cy.fit(undefined, 40);
      perform(moveCommand(moves, gettext("arranging the map")))
        .then(() => showStatus(gettext("Map arranged and saved. Undo puts everything back.")))
        .catch((error) => showError(fill(gettext("The arrangement was not saved: %(error)s"), { error: error.message })));
    });
    layout.run();
  }

  /* --- Filters and search --------------------------------------------------------------- */

  function checkedValues(name) {
    return new Set([...$("map-filters").querySelectorAll("input[name=" + name + "]:checked")].map((b) => b.value));
  }

  function applyFilters() {
    const kinds = checkedValues("kind");
    const statuses = checkedValues("status");
    const roles = checkedValues("role");
    const levels = checkedValues("spectrum");
    cy.batch(() => {
      cy.nodes().forEach((n) => {
        const node = n.data("record");
        let shown = true;
        if (node.type === "actor") shown = node.roles.length ? node.roles.some((r) => roles.has(r)) : roles.has("");
        else if (node.type === "dataset") shown = levels.has(node.spectrum || "");
        n.toggleClass("filtered", !shown);
      });
      cy.edges().forEach((e) => {
        const exchange = e.data("record");
        e.toggleClass("filtered", !(kinds.has(exchange.kind) && statuses.has(exchange.status)));
      });
    });
    const hidden = cy.elements(".filtered").length;
    showStatus(
      hidden
        ? fill(ngettext("%(count)s node or exchange hidden by the filter.", "%(count)s nodes and exchanges hidden by the filter.", hidden), { count: hidden })
        : gettext("Showing everything."),
    );
  }

  function search(query) {
    const words = query.trim().toLowerCase();
    cy.batch(() => {
      cy.elements().removeClass("highlight faded");
      if (!words) return;
      const matches = cy.nodes().filter((n) => n.data("label").toLowerCase().includes(words));
      cy.elements().addClass("faded");
      matches.removeClass("faded").addClass("highlight");
    });
    if (!words) {
      showStatus("");
      return null;
    }
    const matches = cy.nodes(".highlight");
    showStatus(fill(ngettext("%(count)s node matches.", "%(count)s nodes match.", matches.length), { count: matches.length }));
    return matches;
  }

  /* --- Start ---------------------------------------------------------------------------- */

  function wire() {
    cy.on("select unselect", debounce(showSelection, 30));
    cy.on("tap", "node", (event) => nodeTapped(event.target));
    if (canEdit) {
      cy.on("grab", "node", recordDragStart);
      cy.on("free", "node", () => setTimeout(saveDrag, 0));
      $("tool-add").addEventListener("click", openNodeDialog);
      $("tool-connect").addEventListener("click", () => (connecting ? stopConnecting(gettext("Connecting cancelled.")) : startConnecting(cy.$("node:selected").length === 1 ? cy.$("node:selected")[0] : null)));
      $("tool-undo").addEventListener("click", undo);
      $("tool-redo").addEventListener("click", redo);
      $("tool-layout").addEventListener("click", arrange);
      $("node-form").addEventListener("submit", submitNode);
      $("node-type").addEventListener("change", () => {
        $("node-roles").hidden = $("node-type").value !== "actor";
        suggest($("node-type").value, $("node-name").value, $("node-suggestions"));
      });
      $("node-name").addEventListener("input", debounce(() => suggest($("node-type").value, $("node-name").value, $("node-suggestions")), 200));
      $("exchange-form").addEventListener("submit", submitExchange);
      $("exchange-status").addEventListener("change", setReasonsVisibility);
      $("exchange-kind").addEventListener("change", setReasonsVisibility);
      $("exchange-dataset").addEventListener("input", debounce(suggestDatasets, 200));
      $("exchange-dataset").addEventListener("focus", suggestDatasets);
      for (const dialog of document.querySelectorAll(".map-dialog")) {
        dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
      }
    }
    $("tool-fit").addEventListener("click", () => cy.animate({ fit: { padding: 40 }, duration: 250 }));
    $("map-search").addEventListener("input", debounce((event) => search(event.target.value), 150));
    $("map-search").addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      const matches = search(event.target.value);
      if (matches && matches.length) cy.animate({ fit: { eles: matches, padding: 80 }, duration: 250 });
    });
    $("map-filters").addEventListener("change", applyFilters);
    $("filters-reset").addEventListener("click", () => {
      $("map-filters").querySelectorAll("input").forEach((box) => (box.checked = true));
      applyFilters();
    });
    document.addEventListener("keydown", (event) => {
      const typing = event.target.closest("input, textarea, select, dialog");
      if (typing) return;
      if (event.key === "Escape" && connecting) stopConnecting(gettext("Connecting cancelled."));
      if (!canEdit) return;
      const key = event.key.toLowerCase();
      if ((event.ctrlKey || event.metaKey) && key === "z") {
        event.preventDefault();
        (event.shiftKey ? redo : undo)();
      } else if ((event.ctrlKey || event.metaKey) && key === "y") {
        event.preventDefault();
        redo();
      } else if ((event.key === "Delete" || event.key === "Backspace") && event.target.closest("#map-canvas")) {
        event.preventDefault();
        removeSelected();
      }
    });
  }

  async function start() {
    let data;
    try {
      data = await call("GET", url.map);
    } catch (error) {
      $("map-loading").textContent = fill(gettext("The map could not be loaded: %(error)s"), { error: error.message });
      root.dataset.state = "failed";
      return;
    }
    canEdit = Boolean(data.map.can_edit);
    const large = data.nodes.length >= LARGE;
    $("map-loading").remove();
    cy = cytoscape({
      container: $("map-canvas"),
      elements: [...data.nodes.map(nodeElement), ...data.exchanges.map(exchangeElement)],
      style: styles(large),
      layout: { name: "preset", fit: true, padding: 40 },
      minZoom: 0.02,
      maxZoom: 4,
      wheelSensitivity: 0.3,
      autoungrabify: !canEdit,
      boxSelectionEnabled: canEdit,
      // Level of detail for large maps: while panning and zooming draw a cached picture and hide
      // the edges; labels only show once zoomed in far enough to read them (min-zoomed-font-size
      // in the style), and edges are straight and unlabelled.
      textureOnViewport: large,
      hideEdgesOnViewport: large,
      pixelRatio: large ? 1 : "auto",
    });
    window.mapEditor = { cy, undo, redo }; // for the browser tests and benchmark
    wire();
    updateHistoryButtons();
    if (!data.nodes.length) {
      showStatus(canEdit ? gettext("The map is empty: use “Add to the map” to start.") : gettext("The map is empty."));
    }
    if (large) showStatus(gettext("Large map: labels show when you zoom in."));
    root.dataset.state = "ready";
    root.dataset.readyAt = String(performance.now());
    loadFindings();
  }

  start();
})();
