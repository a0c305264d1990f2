/* The ecosystem map editor: draws a map with Cytoscape.js and saves every change through a
 * transport. The server checks each change; the drawing only changes after the server has
 * accepted it, so what you see is what is saved.
 *
 * Two transports speak to the server. On the map's own page, `restTransport` saves through the
 * map's JSON routes (maps/api.py). In a live workshop room, room.js mounts the same editor with a
 * transport that sends websocket operations, and hands it everyone's changes as they are
 * broadcast (`receive`), so the drawing follows the room without a reload. A transport has
 * load, findings, inventory, addNode, changeNode, removeNode, move, addExchange,
 * changeExchange and removeExchange, each returning a promise (see `restTransport`).
 *
 * Undo and redo replay changes through the same transport. A node or exchange brought back by
 * undo gets a new id from the server, so commands remember the id they first knew and look up
 * the current one through `alias`.
 *
 * Its words come from Django's JavaScript catalog (jsi18n/, loaded just before this script) in
 * the language of the page: `gettext` and `ngettext` translate, `fill` puts names and numbers
 * into the %(placeholders)s of a translated text.
 */
(function () {
  "use strict";

  if (typeof cytoscape === "undefined") return;
  if (typeof cytoscapeFcose !== "undefined") cytoscape.use(cytoscapeFcose);

  const $ = (id) => document.getElementById(id);
  const fill = (text, values) => interpolate(text, values, true);
  const LARGE = 1500; // from this many nodes, draw with less detail so the map stays fluid
  const ANIMATED = 50; // others' moves of up to this many nodes glide; more jump into place
  const MARKS = ["filtered", "faded", "highlight", "connect-from"]; // classes of the moment

  class ApiError extends Error {
    constructor(message, errors, status) {
      super(message);
      this.errors = errors || {};
      this.status = status;
    }
  }

  /* --- The map's JSON routes: the map's own page ----------------------------------------- */

  function restTransport(api, csrfToken) {
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

    const node = (id) => api + "nodes/" + id + "/";
    const exchange = (id) => api + "exchanges/" + id + "/";
    return {
      /** The map ({map: {..., can_edit}, nodes, exchanges}). */
      load: () => call("GET", api),
      findings: async () => (await call("GET", api + "findings/")).findings,
      inventory: async (q, kind) => (await call("GET", api + "inventory/?" + new URLSearchParams({ q, kind }))).results,
      /** {type, name or inventory_id, roles, x, y} -> the node. */
      addNode: (fields) => call("POST", api + "nodes/", fields),
      changeNode: (id, fields) => call("PATCH", node(id), fields),
      removeNode: (id) => call("DELETE", node(id)),
      /** [{id, x, y}, ...] */
      move: (positions) => call("POST", api + "positions/", { positions }),
      addExchange: (fields) => call("POST", api + "exchanges/", fields),
      changeExchange: (id, fields) => call("PATCH", exchange(id), fields),
      removeExchange: (id) => call("DELETE", exchange(id)),
    };
  }

  /* --- The editor ------------------------------------------------------------------------- */

  /**
   * Draw the map in `root` (the markup of maps/_editor.html) and edit it through `transport`.
   * `keep` may carry `selected` (element ids), `zoom` and `pan` to pick up where an earlier
   * editor of the same map left off. Returns the editor: `cy` once drawn, `receive(kind,
   * payload)` for someone else's change, `sync(data)` for the whole map again, `destroy()`.
   */
  function mount(root, { transport, config, look, keep = {} }) {
    const statusLine = $("map-status");
    const savedLine = $("map-saved");
    const errorLine = $("map-error");
    const listening = new AbortController();
    const on = (target, type, handler) => target.addEventListener(type, handler, { signal: listening.signal });

    let cy = null;
    let canEdit = false;
    let destroyed = false;
    const alias = new Map(); // the id a command first knew -> the id the server gave it later
    const current = (key) => {
      while (alias.has(key)) key = alias.get(key);
      return key;
    };
    const idOf = (key) => Number(key.slice(1));

    // In a room, the server broadcasts every change, this tab's own included, in the order it
    // applied them. An answer to one of our changes can arrive after someone else's later change
    // to the same element; drawing the answer then would put back what they changed. So each
    // element remembers when someone else last changed it, and answers only draw what nobody
    // changed since the request was sent (ours comes back in the room's order anyway).
    let outside = 0; // changes from outside drawn so far
    const changedAt = new Map(); // element id -> `outside` when someone else last changed it
    const markOutside = (key) => changedAt.set(key, ++outside);
    const changedSince = (key, mark) => (changedAt.get(key) || 0) > mark;

    let pending = 0;
    let queue = Promise.resolve();

    function showStatus(text) {
      statusLine.textContent = text;
    }

    function showError(text) {
      errorLine.textContent = text;
      errorLine.hidden = !text;
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
          if (destroyed) return;
          if (pending === 0) savedLine.textContent = outcome;
          refreshFindingsSoon();
        });
      return run;
    }

    /* --- Drawing ------------------------------------------------------------------------ */

    function nodeClasses(node) {
      const classes = [node.type];
      if (node.type === "dataset" && node.status && node.status !== "exists") classes.push(node.status);
      return classes;
    }

    function nodeElement(node) {
      return {
        group: "nodes",
        data: { id: "n" + node.id, record: node, label: node.name },
        position: { x: node.x || 0, y: node.y || 0 },
        classes: nodeClasses(node).join(" "),
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

    /** Give an element its classes for what it is, keeping those of the moment (MARKS). */
    function setClasses(item, classes) {
      item.classes([...classes, ...MARKS.filter((mark) => item.hasClass(mark))]);
    }

    /** Draw a node, or bring a drawn one up to date (its place is left to `moveNodes`). */
    function putNode(node) {
      const item = cy.getElementById("n" + node.id);
      if (item.empty()) {
        cy.add(nodeElement(node));
        return;
      }
      item.data({ record: node, label: node.name });
      setClasses(item, nodeClasses(node));
    }

    function putExchange(exchange) {
      const key = "e" + exchange.id;
      const ends = ["n" + exchange.source, "n" + exchange.target];
      if (ends.some((end) => cy.getElementById(end).empty())) return; // an end is gone already
      let item = cy.getElementById(key);
      if (item.empty()) {
        cy.add(exchangeElement(exchange));
        return;
      }
      if (item.source().id() !== ends[0] || item.target().id() !== ends[1]) {
        item = item.move({ source: ends[0], target: ends[1] });
      }
      item.data({ record: exchange, label: exchangeLabel(exchange) });
      setClasses(item, [exchange.kind, exchange.status]);
    }

    const heldBack = new Map(); // node id -> where someone else put it while it was in hand here

    /** Put nodes where someone else moved them. One being dragged here stays in hand; if it is
     * let go where it was picked up, it goes where they put it (`saveDrag`). */
    function moveNodes(positions) {
      const glide = positions.length <= ANIMATED;
      for (const { id, x, y } of positions) {
        const key = "n" + id;
        const item = cy.getElementById(key);
        if (item.empty()) continue;
        const at = item.position();
        if (at.x === x && at.y === y) continue;
        markOutside(key);
        if (item.grabbed()) {
          heldBack.set(key, { x, y });
          continue;
        }
        item.stop(true, true);
        if (glide) item.animate({ position: { x, y } }, { duration: 250 });
        else item.position({ x, y });
      }
    }

    function dropElement(key) {
      const item = cy.getElementById(key);
      if (item.empty()) return false;
      const wasSelected = item.selected() || (item.isNode() && item.connectedEdges(":selected").nonempty());
      item.remove();
      return wasSelected;
    }

    /** Nodes never placed (added from the table or an import) go in rows under the others, on
     * this screen only: they are saved where they are once someone moves them. */
    function placeUnplaced(nodes) {
      const placed = nodes.filter((n) => n.x !== null && n.x !== undefined && n.y !== null && n.y !== undefined);
      const unplaced = nodes.filter((n) => !placed.includes(n));
      if (!unplaced.length) return;
      let top = 0;
      let left = 0;
      for (const n of placed) {
        top = Math.max(top, n.y + 150);
        left = Math.min(left, n.x);
      }
      const columns = Math.ceil(Math.sqrt(unplaced.length));
      unplaced.forEach((n, i) => {
        n.x = left + (i % columns) * 160;
        n.y = top + Math.floor(i / columns) * 120;
      });
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

    /* --- Undo and redo ------------------------------------------------------------------ */

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

    /* --- Changes, each as a command ----------------------------------------------------- */

    async function createNode(fields) {
      const mark = outside;
      const node = await transport.addNode(fields);
      if (!destroyed && !changedSince("n" + node.id, mark)) putNode(node);
      return node;
    }

    /** The fields that bring a node back as it was. */
    function nodeFields(node) {
      return { type: node.type, inventory_id: node.inventory_id, name: node.name, roles: node.roles, x: node.x, y: node.y };
    }

    async function createExchange(record, sourceKey, targetKey) {
      const fields = exchangeFields(record);
      fields.source = idOf(current(sourceKey));
      fields.target = idOf(current(targetKey));
      const mark = outside;
      const exchange = await transport.addExchange(fields);
      if (!destroyed && !changedSince("e" + exchange.id, mark)) putExchange(exchange);
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

    function remove(key) {
      if (!destroyed) dropElement(key);
    }

    function addNodeCommand(fields) {
      let key = null;
      let record = null;
      return {
        label: fields.name ? fill(gettext("adding “%(name)s”"), { name: fields.name }) : gettext("adding a node"),
        async redo() {
          const node = await createNode(record ? nodeFields(record) : fields);
          if (key) alias.set(current(key), "n" + node.id);
          else key = "n" + node.id;
          record = node;
          this.label = fill(gettext("adding “%(name)s”"), { name: node.name });
          return node;
        },
        async undo() {
          const target = current(key);
          const position = { ...cy.getElementById(target).position() };
          await transport.removeNode(idOf(target));
          Object.assign(record, { x: position.x, y: position.y });
          remove(target);
        },
      };
    }

    /** What undo needs to bring a node back: it, where it was, and its exchanges. */
    function nodeWithExchanges(key) {
      const item = cy.getElementById(key);
      return {
        node: { ...item.data("record"), ...item.position() },
        exchanges: item.connectedEdges().map((edge) => ({ ...edge.data("record") })),
      };
    }

    function removeNodeCommand(nodeKey) {
      let removed = null;
      const name = cy.getElementById(nodeKey).data("label");
      return {
        label: fill(gettext("removing “%(name)s”"), { name }),
        async redo() {
          const target = current(nodeKey);
          const before = nodeWithExchanges(target);
          await transport.removeNode(idOf(target));
          removed = before;
          remove(target);
        },
        async undo() {
          const back = await createNode(nodeFields(removed.node));
          alias.set(current(nodeKey), "n" + back.id);
          for (const exchange of removed.exchanges) {
            const ends = ["n" + exchange.source, "n" + exchange.target].map(current);
            if (!destroyed && ends.some((end) => cy.getElementById(end).empty())) continue; // its other end was taken off meanwhile
            const again = await createExchange(exchange, "n" + exchange.source, "n" + exchange.target);
            alias.set(current("e" + exchange.id), "e" + again.id);
          }
        },
      };
    }

    function changeNodeCommand(nodeKey, before, after, label) {
      async function apply(fields) {
        const target = current(nodeKey);
        const mark = outside;
        const node = await transport.changeNode(idOf(target), fields);
        if (!destroyed && !changedSince(target, mark)) {
          putNode(node);
          showSelection();
        }
        return node;
      }
      return { label, redo: () => apply(after), undo: () => apply(before) };
    }

    function moveCommand(moves, label) {
      // moves: [[key, {x, y} before, {x, y} after], ...]
      async function apply(which) {
        const positions = moves.map(([key, before, after]) => {
          const point = which === "after" ? after : before;
          return { id: idOf(current(key)), x: point.x, y: point.y };
        });
        const mark = outside;
        await transport.move(positions);
        if (destroyed) return;
        cy.batch(() => {
          for (const { id, x, y } of positions) {
            if (!changedSince("n" + id, mark)) cy.getElementById("n" + id).stop(true).position({ x, y });
          }
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
          if (key) alias.set(current(key), "e" + exchange.id);
          else key = "e" + exchange.id;
          return exchange;
        },
        async undo() {
          const target = current(key);
          await transport.removeExchange(idOf(target));
          remove(target);
        },
      };
    }

    function removeExchangeCommand(exchangeKey) {
      let removed = null;
      return {
        label: gettext("removing an exchange"),
        async redo() {
          const target = current(exchangeKey);
          const before = { ...cy.getElementById(target).data("record") };
          await transport.removeExchange(idOf(target));
          removed = before;
          remove(target);
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
        const mark = outside;
        const exchange = await transport.changeExchange(idOf(target), fields);
        if (!destroyed && !changedSince(target, mark)) putExchange(exchange);
        return exchange;
      }
      return { label: gettext("changing an exchange"), redo: () => apply(after), undo: () => apply(before) };
    }

    /* --- Someone else's changes --------------------------------------------------------- */

    /** Draw a change someone made (or this tab's own, coming back): what the server broadcast. */
    function receive(kind, payload) {
      if (!cy || destroyed) return;
      let touched = null; // the element the change is about
      let selectionGone = false;
      if (kind === "node.add" || kind === "node.edit") {
        putNode(payload.node);
        touched = "n" + payload.node.id;
        markOutside(touched);
      } else if (kind === "node.move") {
        moveNodes([payload.node]);
      } else if (kind === "nodes.move") {
        moveNodes(payload.positions);
      } else if (kind === "node.delete") {
        selectionGone = dropElement("n" + payload.id);
      } else if (kind === "exchange.add" || kind === "exchange.edit") {
        putExchange(payload.exchange);
        touched = "e" + payload.exchange.id;
        markOutside(touched);
      } else if (kind === "exchange.delete") {
        selectionGone = dropElement("e" + payload.id);
      } else {
        return;
      }
      afterOutsideChange(selectionGone || (touched !== null && cy.getElementById(touched).selected()));
    }

    /** The whole map again (after a reconnection): draw what changed, keep the rest. */
    function sync(data) {
      if (!cy || destroyed) return;
      placeUnplaced(data.nodes);
      const nodes = new Set(data.nodes.map((n) => "n" + n.id));
      const exchanges = new Set(data.exchanges.map((e) => "e" + e.id));
      cy.batch(() => {
        cy.edges().forEach((edge) => exchanges.has(edge.id()) || dropElement(edge.id()));
        cy.nodes().forEach((node) => nodes.has(node.id()) || dropElement(node.id()));
        for (const node of data.nodes) putNode(node);
        for (const exchange of data.exchanges) putExchange(exchange);
      });
      cy.elements().forEach((item) => markOutside(item.id()));
      moveNodes(data.nodes.map(({ id, x, y }) => ({ id, x, y })));
      afterOutsideChange(true);
    }

    function afterOutsideChange(selectionChanged) {
      if (filtering()) applyFilters(true);
      if (selectionChanged) showSelection();
      refreshFindingsSoon();
    }

    /* --- Findings ----------------------------------------------------------------------- */

    let findingsTimer = null;
    let activeFinding = null;

    function refreshFindingsSoon() {
      clearTimeout(findingsTimer);
      findingsTimer = setTimeout(loadFindings, 400);
    }

    async function loadFindings() {
      if (destroyed) return;
      const list = $("findings-list");
      list.setAttribute("aria-busy", "true");
      try {
        const findings = await transport.findings();
        if (!destroyed) showFindings(findings);
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

    /* --- Selection panel ---------------------------------------------------------------- */

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
      if (!cy || destroyed) return;
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
        const removeButton = element("button", { type: "button", class: "secondary", text: gettext("Remove from the map") });
        removeButton.addEventListener("click", () => removeSelected());
        actions.append(connect, removeButton);
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
        const removeButton = element("button", { type: "button", class: "secondary", text: gettext("Remove exchange") });
        removeButton.addEventListener("click", () => removeSelected());
        actions.append(edit, removeButton);
        parts.push(actions);
      }
      body.replaceChildren(...parts);
    }

    /* --- Adding nodes ------------------------------------------------------------------- */

    let suggestions = new Map(); // "type:name" -> inventory record, from the last search

    async function suggest(type, query, list) {
      try {
        const results = await transport.inventory(query, type);
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
        timer = setTimeout(() => destroyed || fn(...args), wait);
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
      const fields = { type, name, roles, ...viewportCentre() };
      if (known) fields.inventory_id = known.id;
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

    /* --- Connecting two nodes ----------------------------------------------------------- */

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
      if ($("tool-connect")) $("tool-connect").setAttribute("aria-pressed", "false");
      cy.nodes().removeClass("connect-from");
      if (message) showStatus(message);
    }

    function nodeTapped(node) {
      if (!connecting) return;
      if (!connectFrom || connectFrom.removed()) {
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

    /* --- The exchange dialog ------------------------------------------------------------ */

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
      try {
        const results = await transport.inventory($("exchange-dataset").value, "dataset");
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

    /* --- Removing, moving, arranging ---------------------------------------------------- */

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
      moving.stop(true, true); // a node gliding to where someone else put it is taken from there
      dragStart = new Map(moving.map((n) => [n.id(), { ...n.position() }]));
    }

    function saveDrag() {
      if (destroyed) return;
      const moves = [];
      for (const [key, before] of dragStart) {
        const item = cy.getElementById(key);
        if (item.empty()) continue; // removed by someone else meanwhile
        const after = { ...item.position() };
        if (before.x !== after.x || before.y !== after.y) moves.push([key, before, after]);
        else if (heldBack.has(key)) item.position(heldBack.get(key)); // not moved here: theirs stands
      }
      dragStart = new Map();
      heldBack.clear();
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
        const moves = cy.nodes().map((n) => [n.id(), before.get(n.id()) || { ...n.position() }, { ...n.position() }]);
        cy.fit(undefined, 40);
        perform(moveCommand(moves, gettext("arranging the map")))
          .then(() => showStatus(gettext("Map arranged and saved. Undo puts everything back.")))
          .catch((error) => showError(fill(gettext("The arrangement was not saved: %(error)s"), { error: error.message })));
      });
      layout.run();
    }

    /* --- Filters and search ------------------------------------------------------------- */

    function checkedValues(name) {
      return new Set([...$("map-filters").querySelectorAll("input[name=" + name + "]:checked")].map((b) => b.value));
    }

    function filtering() {
      return $("map-filters").querySelector("input:not(:checked)") !== null;
    }

    function applyFilters(quiet) {
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
      if (quiet === true) return;
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

    /* --- Start and stop ----------------------------------------------------------------- */

    function wire() {
      cy.on("select unselect", debounce(showSelection, 30));
      cy.on("tap", "node", (event) => nodeTapped(event.target));
      if (canEdit) {
        cy.on("grab", "node", recordDragStart);
        cy.on("free", "node", () => setTimeout(saveDrag, 0));
        on($("tool-add"), "click", openNodeDialog);
        on($("tool-connect"), "click", () => (connecting ? stopConnecting(gettext("Connecting cancelled.")) : startConnecting(cy.$("node:selected").length === 1 ? cy.$("node:selected")[0] : null)));
        on($("tool-undo"), "click", undo);
        on($("tool-redo"), "click", redo);
        on($("tool-layout"), "click", arrange);
        on($("node-form"), "submit", submitNode);
        on($("node-type"), "change", () => {
          $("node-roles").hidden = $("node-type").value !== "actor";
          suggest($("node-type").value, $("node-name").value, $("node-suggestions"));
        });
        on($("node-name"), "input", debounce(() => suggest($("node-type").value, $("node-name").value, $("node-suggestions")), 200));
        on($("exchange-form"), "submit", submitExchange);
        on($("exchange-status"), "change", setReasonsVisibility);
        on($("exchange-kind"), "change", setReasonsVisibility);
        on($("exchange-dataset"), "input", debounce(suggestDatasets, 200));
        on($("exchange-dataset"), "focus", suggestDatasets);
        for (const dialog of document.querySelectorAll(".map-dialog")) {
          on(dialog.querySelector("[data-close]"), "click", () => dialog.close());
        }
      }
      on($("tool-fit"), "click", () => cy.animate({ fit: { padding: 40 }, duration: 250 }));
      on($("map-search"), "input", debounce((event) => search(event.target.value), 150));
      on($("map-search"), "keydown", (event) => {
        if (event.key !== "Enter") return;
        event.preventDefault();
        const matches = search(event.target.value);
        if (matches && matches.length) cy.animate({ fit: { eles: matches, padding: 80 }, duration: 250 });
      });
      on($("map-filters"), "change", applyFilters);
      on($("filters-reset"), "click", () => {
        $("map-filters").querySelectorAll("input").forEach((box) => (box.checked = true));
        applyFilters();
      });
      on(document, "keydown", (event) => {
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

    /** Show the tools only to whoever may use them (the room decides as the workshop goes). */
    function showTools() {
      for (const part of root.querySelectorAll("[data-edit-only]")) part.hidden = !canEdit;
      for (const part of root.querySelectorAll("[data-read-only]")) part.hidden = canEdit;
    }

    async function start() {
      root.dataset.state = "loading";
      let data;
      try {
        data = await transport.load();
      } catch (error) {
        const loading = $("map-loading");
        if (loading) loading.textContent = fill(gettext("The map could not be loaded: %(error)s"), { error: error.message });
        root.dataset.state = "failed";
        return;
      }
      if (destroyed) return;
      canEdit = Boolean(data.map.can_edit);
      showTools();
      placeUnplaced(data.nodes);
      const large = data.nodes.length >= LARGE;
      const loading = $("map-loading");
      if (loading) loading.remove();
      cy = cytoscape({
        container: $("map-canvas"),
        elements: [...data.nodes.map(nodeElement), ...data.exchanges.map(exchangeElement)],
        style: styles(large),
        layout: keep.zoom ? { name: "preset", fit: false } : { name: "preset", fit: true, padding: 40 },
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
      if (keep.zoom) cy.viewport({ zoom: keep.zoom, pan: keep.pan });
      for (const key of keep.selected || []) cy.getElementById(key).select();
      window.mapEditor = editor; // for the browser tests and benchmark
      wire();
      updateHistoryButtons();
      if (filtering()) applyFilters(true);
      if (keep.selected) showSelection();
      if (!data.nodes.length) {
        showStatus(canEdit ? gettext("The map is empty: use “Add to the map” to start.") : gettext("The map is empty."));
      }
      if (large) showStatus(gettext("Large map: labels show when you zoom in."));
      root.dataset.state = "ready";
      root.dataset.readyAt = String(performance.now());
      loadFindings();
    }

    /** Stop drawing and listening (the room moves on, or mounts the editor again). */
    function destroy() {
      destroyed = true;
      listening.abort();
      clearTimeout(findingsTimer);
      for (const dialog of document.querySelectorAll(".map-dialog")) if (dialog.open) dialog.close();
      if ($("tool-connect")) $("tool-connect").setAttribute("aria-pressed", "false");
      if (cy) cy.destroy();
      if (window.mapEditor === editor) window.mapEditor = null;
    }

    /** What a new editor of the same map needs to look the same: selection and viewport. */
    function view() {
      if (!cy) return {};
      return { selected: cy.$(":selected").map((item) => item.id()), zoom: cy.zoom(), pan: { ...cy.pan() } };
    }

    const editor = {
      get cy() {
        return cy;
      },
      undo,
      redo,
      receive,
      sync,
      view,
      destroy,
    };
    start();
    return editor;
  }

  window.OpenCitiesMapEditor = { mount };

  // The map's own page: its configuration names the JSON routes to save through.
  const root = $("map-editor");
  const configScript = $("editor-config");
  if (!root || !configScript) return;
  const config = JSON.parse(configScript.textContent);
  if (!config.api) return; // mounted by its page's own script (a workshop room)
  mount(root, {
    transport: restTransport(config.api, root.querySelector("[name=csrfmiddlewaretoken]").value),
    config,
    look: JSON.parse($("map-style").textContent),
  });
})();
