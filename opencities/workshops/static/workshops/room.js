/*
 * The live workshop room: one websocket to the server, which decides everything.
 *
 * Every change this tab makes is an operation numbered by this tab (client id + sequence
 * number) and kept in an outbox until the server acknowledges it; after a dropped connection
 * the outbox is sent again with the same numbers, so the server applies each operation once.
 * The room is drawn from what the server broadcasts only, in version order: a tab that comes
 * back asks for the changes after the last version it applied (or the whole room when it has
 * none). The protocol is described in docs/workshops.md.
 *
 * Texts go through Django's JavaScript catalogue (`gettext`, `ngettext`, `interpolate`);
 * everything people typed is put on the page with textContent.
 */
(() => {
  "use strict";

  const root = document.getElementById("live-room");
  if (!root || !window.WebSocket) return;
  const fill = (text, values) => interpolate(text, values, true);
  const ROOM = root.dataset.room;
  const STORE = `workshop-room:${ROOM}`;
  const NO_RETRY = new Set([4403, 4404]); // not let in: reconnecting would not help
  const COLOURS = {
    yellow: gettext("Yellow"),
    pink: gettext("Pink"),
    blue: gettext("Blue"),
    green: gettext("Green"),
    orange: gettext("Orange"),
    purple: gettext("Purple"),
  };

  // --- What this tab knows, kept for the life of the tab (a reload keeps the outbox) ------------
  const saved = JSON.parse(sessionStorage.getItem(STORE) || "{}");
  const tab = {
    clientId: saved.clientId || crypto.randomUUID(),
    seq: saved.seq || 0,
    outbox: saved.outbox || [],
  };
  const save = () => sessionStorage.setItem(STORE, JSON.stringify(tab));

  let room = null; // the snapshot, kept up to date by the changes
  let version = 0;
  let participants = [];
  let you = null;
  let socket = null;
  let connected = false;
  let attempts = 0;
  let waiting = new Map(); // changes that came before the ones they follow, by version
  let gapTimer = null;
  const drafts = new Map(); // what people are typing, by field key, kept across redraws
  const editing = new Set(); // ids of notes being edited here
  let dragging = null; // the note being dragged here: redraws wait until it is dropped
  let drawLater = false;

  // --- Connection ---------------------------------------------------------------------------
  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}/ws/room/${ROOM}/`);
    socket.addEventListener("open", () => {
      attempts = 0;
      hello(room ? version : null);
    });
    socket.addEventListener("message", (event) => receive(JSON.parse(event.data)));
    socket.addEventListener("close", (event) => {
      connected = false;
      socket = null;
      if (NO_RETRY.has(event.code)) {
        status(gettext("You are no longer in this room: reload the page."), "offline");
        return;
      }
      attempts += 1;
      const delay = Math.min(15000, 500 * 2 ** attempts) * (0.75 + Math.random() / 2);
      setTimeout(connect, delay);
      showConnection();
    });
  }

  function hello(since) {
    socket.send(JSON.stringify({ type: "hello", since }));
  }

  function send(op, data = {}) {
    tab.seq += 1;
    const operation = { op, client_id: tab.clientId, seq: tab.seq, data };
    tab.outbox.push(operation);
    save();
    if (connected) socket.send(JSON.stringify(operation));
    showConnection();
  }

  function receive(message) {
    switch (message.type) {
      case "welcome":
        welcome(message);
        break;
      case "change":
        change(message);
        break;
      case "ack":
        showError("");
        settle(message.seq);
        break;
      case "error":
        settle(message.seq);
        showError(message.message);
        break;
      case "presence":
        participants = message.participants;
        drawPeople();
        break;
    }
  }

  function welcome(message) {
    you = message.you;
    participants = message.participants;
    if (message.snapshot) {
      room = message.snapshot;
      version = room.version;
      waiting = new Map();
    }
    room.state = message.state;
    connected = true;
    for (const operation of tab.outbox) socket.send(JSON.stringify(operation));
    showConnection();
    draw();
  }

  function settle(seq) {
    tab.outbox = tab.outbox.filter((operation) => operation.seq !== seq);
    save();
    showConnection();
  }

  function change(message) {
    if (!room || message.version <= version) return;
    waiting.set(message.version, message);
    while (waiting.has(version + 1)) {
      const next = waiting.get(version + 1);
      waiting.delete(version + 1);
      version = next.version;
      apply(next);
    }
    clearTimeout(gapTimer);
    if (waiting.size) {
      // A change is missing (changes from several people crossed): ask for it if it is late.
      gapTimer = setTimeout(() => connected && hello(version), 1000);
    }
    draw();
  }

  function apply({ kind, payload }) {
    const [area] = kind.split(".");
    if (area === "note") {
      const note = payload.note;
      const others = room.notes.filter((n) => n.id !== note.id);
      room.notes = note.deleted ? others : [...others, note].sort((a, b) => a.id - b.id);
    } else if (area === "vote" || area === "dot") {
      const others = room.votes.filter((v) => v.id !== payload.vote.id);
      room.votes = [...others, payload.vote].sort((a, b) => a.id - b.id);
    } else if (area === "control") {
      const before = room.state.current_step;
      Object.assign(room.state, payload);
      if (payload.current_step !== undefined && payload.current_step !== before) {
        const step = currentStep();
        if (step && step.map) hello(null); // the new step's map: fetch the whole room
      }
    } else if (area === "node" || area === "exchange") {
      applyMap(kind, payload);
    } else {
      hello(null); // the agenda changed: draw it again from the whole room
    }
  }

  function applyMap(kind, payload) {
    const map = room.map;
    if (!map || map.map.id !== payload.map) return;
    if (kind === "node.delete") {
      map.nodes = map.nodes.filter((n) => n.id !== payload.id);
      map.exchanges = map.exchanges.filter((e) => !payload.exchanges.includes(e.id));
    } else if (kind === "exchange.delete") {
      map.exchanges = map.exchanges.filter((e) => e.id !== payload.id);
    } else if (payload.node) {
      map.nodes = [...map.nodes.filter((n) => n.id !== payload.id), payload.node];
    } else if (payload.exchange) {
      map.exchanges = [...map.exchanges.filter((e) => e.id !== payload.id), payload.exchange];
    }
  }

  // --- Drawing ------------------------------------------------------------------------------
  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (value === true) node.setAttribute(name, "");
      else if (value !== false && value != null) node.setAttribute(name, value);
    }
    for (const child of children.flat()) {
      if (child == null) continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function field(tag, key, attributes = {}) {
    const input = el(tag, { ...attributes, "data-key": key });
    input.value = drafts.get(key) ?? attributes.value ?? "";
    input.addEventListener("input", () => drafts.set(key, input.value));
    return input;
  }

  function form(onsubmit, ...children) {
    return el("form", {
      onsubmit: (event) => {
        event.preventDefault();
        onsubmit(new FormData(event.target), event.target);
      },
    }, ...children);
  }

  function showError(text) {
    const line = document.getElementById("live-message");
    line.textContent = text;
    line.hidden = !text;
  }

  function status(text, kind) {
    const badge = document.getElementById("live-status");
    badge.textContent = text;
    badge.dataset.state = kind;
  }

  function showConnection() {
    const waitingOps = tab.outbox.length;
    if (connected) status(gettext("Live"), "live");
    else if (waitingOps) {
      status(fill(ngettext("Offline — %(n)s change waiting", "Offline — %(n)s changes waiting", waitingOps), { n: waitingOps }), "offline");
    } else status(gettext("Reconnecting…"), "reconnecting");
  }

  const currentStep = () => room.steps.find((s) => s.id === room.state.current_step) || null;
  const canRun = () => you && you.can_run;

  function draw() {
    if (!room) return;
    if (dragging) {
      drawLater = true; // the dragged note would be swept away: draw again once it is dropped
      return;
    }
    const focused = document.activeElement && document.activeElement.dataset.key;
    drawAgenda();
    drawTimer();
    drawControls();
    drawPeople();
    drawStep();
    drawVotes();
    if (focused) {
      const again = root.querySelector(`[data-key="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
  }

  const STATES = {
    draft: gettext("Draft"),
    open: gettext("Open for joining"),
    running: gettext("Running"),
    ended: gettext("Ended"),
  };

  function drawAgenda() {
    const badge = document.getElementById("live-workshop-state");
    if (badge && STATES[room.state.state]) badge.textContent = STATES[room.state.state];
    const list = document.getElementById("live-agenda");
    list.replaceChildren(...room.steps.map((step) =>
      el("li", { "aria-current": step.id === room.state.current_step ? "step" : false },
        el("strong", {}, step.title), " ",
        el("span", { class: "muted" }, fill(ngettext("— %(n)s minute", "— %(n)s minutes", step.duration_minutes), { n: step.duration_minutes })))));
    const note = document.getElementById("live-state");
    note.textContent = room.state.state === "ended"
      ? gettext("The workshop has ended. Thank you for taking part.")
      : room.state.state === "running" ? "" : gettext("The workshop has not started yet: the facilitator will start it soon.");
  }

  function secondsLeft() {
    const timer = room.state.timer;
    if (timer.running && timer.ends_at) {
      return Math.max(0, Math.round((Date.parse(timer.ends_at) - Date.now()) / 1000));
    }
    return timer.remaining;
  }

  function drawTimer() {
    const left = secondsLeft();
    document.getElementById("live-timer").textContent =
      left == null ? "—" : `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    document.getElementById("live-timer-state").textContent = room.state.timer.running
      ? gettext("Running") : left == null ? "" : gettext("Paused");
  }

  function drawPeople() {
    const list = document.getElementById("live-people");
    if (!list) return;
    document.getElementById("live-people-count").textContent =
      fill(ngettext("%(n)s here now", "%(n)s here now", participants.length), { n: participants.length });
    list.replaceChildren(...participants.map((p) =>
      el("li", {}, p.name, p.kind !== "guest" ? el("span", { class: "badge" }, p.kind === "facilitator" ? gettext("Facilitator") : gettext("Member")) : null)));
  }

  function control(action, label, style, data) {
    return el("button", { type: "button", class: style, onclick: () => send(`control.${action}`, data) }, label);
  }

  function drawControls() {
    const box = document.getElementById("live-controls");
    if (!box) return;
    box.hidden = !canRun() || room.state.state === "ended";
    if (box.hidden) return;
    const running = room.state.state === "running";
    const timer = room.state.timer;
    box.querySelector(".buttons").replaceChildren(
      running ? "" : control("start", gettext("Start the workshop")),
      running ? control("previous", gettext("Previous step"), "secondary") : "",
      running ? control("next", gettext("Next step")) : "",
      running ? (timer.running ? control("timer_pause", gettext("Pause the timer")) : control("timer_start", gettext("Start the timer"))) : "",
      running ? control("timer_add", gettext("+1 minute"), "secondary", { seconds: 60 }) : "",
      running ? control("timer_add", gettext("+5 minutes"), "secondary", { seconds: 300 }) : "",
      room.state.locked ? control("unlock", gettext("Unlock editing"), "secondary") : control("lock", gettext("Lock editing"), "secondary"),
      control("end", gettext("End the workshop"), "danger"),
    );
  }

  function openVote() {
    return room.votes.find((v) => v.state === "open" && v.step === room.state.current_step) || null;
  }

  function drawStep() {
    const title = document.getElementById("live-step-title");
    const area = document.getElementById("live-boards");
    const step = currentStep();
    if (!step) {
      title.replaceChildren(
        el("p", { class: "step-count" }, gettext("Not started")),
        el("h2", {}, gettext("Welcome")));
      area.replaceChildren();
      return;
    }
    const position = room.steps.indexOf(step) + 1;
    title.replaceChildren(
      el("p", { class: "step-count" },
        fill(gettext("Step %(n)s of %(all)s"), { n: position, all: room.steps.length }),
        room.state.locked ? el("span", { class: "badge locked" }, gettext("Editing is locked")) : null),
      el("h2", {}, step.title));
    if (step.map) area.replaceChildren(drawMap());
    else area.replaceChildren(...step.boards.map(([key, name]) => drawBoard(step, key, name)));
  }

  // A brainstorm board is free: notes sit where people put them (x, y in pixels from the
  // board's top left corner). Canvas sections are lists, in the order the notes came.
  const NOTE_W = 224;
  const NOTE_H = 184;
  const GAP = 12;

  function boardColumns() {
    // The board's own width: the step's area less the card's padding and borders.
    const width = (document.getElementById("live-boards").clientWidth || 760) - 44;
    return Math.max(1, Math.floor((width - GAP) / (NOTE_W + GAP)));
  }

  const slot = (i, columns) => ({
    x: GAP + (i % columns) * (NOTE_W + GAP),
    y: GAP + Math.floor(i / columns) * (NOTE_H + GAP),
  });

  const overlaps = (a, b) => Math.abs(a.x - b.x) < NOTE_W && Math.abs(a.y - b.y) < NOTE_H;

  /** The first place on the grid that no note covers, for a new note. */
  function freeSlot(places) {
    const columns = boardColumns();
    for (let i = 0; ; i += 1) {
      const place = slot(i, columns);
      if (!places.some((p) => overlaps(p, place))) return place;
    }
  }

  /** Where each note of a free board is drawn: its own place, or, never placed, the next free. */
  function placesOf(notes) {
    const places = new Map();
    for (const note of notes) if (note.x || note.y) places.set(note.id, { x: note.x, y: note.y });
    for (const note of notes) {
      if (!places.has(note.id)) places.set(note.id, freeSlot([...places.values()]));
    }
    return places;
  }

  function drawBoard(step, key, name) {
    const vote = openVote();
    const notes = room.notes.filter((n) => n.step === step.id && n.board === key);
    const addKey = `add:${key}`;
    const free = step.kind === "brainstorm";
    const places = free ? placesOf(notes) : null;
    const list = el("ul", { class: free ? "board-notes free" : "board-notes" },
      notes.map((note) => drawNote(note, vote, places && places.get(note.id))));
    if (free) {
      const bottom = Math.max(0, ...[...places.values()].map((p) => p.y));
      list.style.height = `${bottom + NOTE_H + 3 * GAP}px`;
    }
    return el("section", { class: free ? "card board board-free" : "card board", "data-board": key },
      el("h3", {}, name, " ", el("span", { class: "board-count" },
        fill(ngettext("%(n)s note", "%(n)s notes", notes.length), { n: notes.length }))),
      notes.length ? null : el("p", { class: "muted board-empty" }, gettext("No notes yet: add the first one below.")),
      list,
      free && notes.length
        ? el("p", { class: "muted board-hint" }, gettext("Drag a note to move it, or select it and use the arrow keys."))
        : null,
      form((data) => {
        const text = (data.get("text") || "").trim();
        if (!text) return;
        const fields = { board: key, text, colour: data.get("colour") };
        if (free) Object.assign(fields, freeSlot([...places.values()]));
        send("note.add", fields);
        drafts.delete(addKey);
        draw();
      },
      el("label", { class: "visually-hidden", for: `new-${key}` }, gettext("New note")),
      field("textarea", addKey, { id: `new-${key}`, name: "text", rows: 2, maxlength: 1000, placeholder: gettext("Add a note…") }),
      colourSelect("colour", `colour:${key}`, "yellow"),
      el("button", { type: "submit" }, gettext("Add note"))));
  }

  function colourSelect(name, key, value, onchange) {
    const select = field("select", key, { name, "aria-label": gettext("Colour"), value, onchange });
    select.append(...Object.entries(COLOURS).map(([colour, label]) => el("option", { value: colour }, label)));
    select.value = drafts.get(key) ?? value;
    return select;
  }

  function moveNote(note, x, y) {
    note.x = Math.max(0, Math.round(x));
    note.y = Math.max(0, Math.round(y));
    send("note.edit", { id: note.id, x: note.x, y: note.y });
  }

  function movable(item, note, place) {
    item.style.left = `${place.x}px`;
    item.style.top = `${place.y}px`;
    item.tabIndex = 0;
    item.dataset.key = `note:${note.id}`;
    item.setAttribute("aria-roledescription", gettext("movable note"));
    const isTool = (target) => target.closest("button, select, textarea, input, a, form");
    item.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 || isTool(event.target)) return;
      event.preventDefault();
      item.focus();
      item.setPointerCapture(event.pointerId);
      dragging = { id: note.id, startX: event.clientX, startY: event.clientY, x: place.x, y: place.y, moved: false };
      item.classList.add("dragging");
    });
    item.addEventListener("pointermove", (event) => {
      if (!dragging || dragging.id !== note.id) return;
      const dx = event.clientX - dragging.startX;
      const dy = event.clientY - dragging.startY;
      if (Math.abs(dx) + Math.abs(dy) > 3) dragging.moved = true;
      item.style.left = `${Math.max(0, dragging.x + dx)}px`;
      item.style.top = `${Math.max(0, dragging.y + dy)}px`;
    });
    const drop = (event) => {
      if (!dragging || dragging.id !== note.id) return;
      const { startX, startY, x, y, moved } = dragging;
      dragging = null;
      item.classList.remove("dragging");
      if (moved && event.type === "pointerup") moveNote(note, x + event.clientX - startX, y + event.clientY - startY);
      if (drawLater || !moved || event.type !== "pointerup") {
        drawLater = false;
        draw();
      }
    };
    item.addEventListener("pointerup", drop);
    item.addEventListener("pointercancel", drop);
    item.addEventListener("keydown", (event) => {
      const step = { ArrowLeft: [-10, 0], ArrowRight: [10, 0], ArrowUp: [0, -10], ArrowDown: [0, 10] }[event.key];
      if (!step || event.target !== item) return;
      event.preventDefault();
      moveNote(note, place.x + step[0], place.y + step[1]);
      draw();
    });
  }

  function drawNote(note, vote, place) {
    const item = el("li", { class: `note note-${note.colour}`, "data-note": note.id });
    if (place && !editing.has(note.id)) movable(item, note, place);
    else if (place) {
      item.style.left = `${place.x}px`;
      item.style.top = `${place.y}px`;
    }
    if (editing.has(note.id)) {
      const key = `edit:${note.id}`;
      item.append(form((data) => {
        send("note.edit", { id: note.id, text: (data.get("text") || "").trim() });
        editing.delete(note.id);
        drafts.delete(key);
        draw();
      }, field("textarea", key, { name: "text", rows: 3, maxlength: 1000, value: note.text, "aria-label": gettext("Note text") }),
      el("button", { type: "submit" }, gettext("Save")),
      el("button", { type: "button", class: "secondary", onclick: () => { editing.delete(note.id); drafts.delete(key); draw(); } }, gettext("Cancel"))));
    } else {
      item.append(el("p", { class: "note-text" }, note.text));
    }
    item.append(el("p", { class: "note-author" }, note.author_name || gettext("Someone")));
    item.append(el("div", { class: "note-tools" },
      editing.has(note.id) ? null : el("button", { type: "button", class: "secondary", onclick: () => { editing.add(note.id); draw(); } }, gettext("Edit")),
      colourSelect("colour", `colour-of:${note.id}`, note.colour, (event) => {
        drafts.delete(`colour-of:${note.id}`);
        send("note.edit", { id: note.id, colour: event.target.value });
      }),
      el("button", { type: "button", class: "danger", onclick: () => send("note.delete", { id: note.id }) }, gettext("Delete"))));
    if (vote && vote.target === "notes") item.append(dotTools(vote, String(note.id)));
    return item;
  }

  function dotTools(vote, target) {
    const row = vote.results.find((r) => r.target === target);
    return el("div", { class: "dots" },
      el("span", { class: "dot-count" }, fill(ngettext("%(n)s dot", "%(n)s dots", row ? row.dots : 0), { n: row ? row.dots : 0 })), " ",
      el("button", { type: "button", onclick: () => send("dot.add", { vote: vote.id, target }) }, gettext("+ dot")),
      el("button", { type: "button", class: "secondary", onclick: () => send("dot.remove", { vote: vote.id, target }) }, gettext("− dot")));
  }

  function drawVotes() {
    const box = document.getElementById("live-votes");
    const step = currentStep();
    const vote = openVote();
    const parts = [el("h2", {}, gettext("Dot voting"))];
    if (vote) {
      const spent = vote.spent[String(you.id)] || 0;
      parts.push(el("p", {}, el("strong", {}, vote.title), " — ",
        fill(gettext("you have %(left)s of %(all)s dots left"), { left: vote.dots_per_person - spent, all: vote.dots_per_person })));
      if (canRun()) parts.push(el("button", { type: "button", class: "secondary", onclick: () => send("vote.close", { vote: vote.id }) }, gettext("Close the vote")));
    } else if (canRun() && step && !step.map && room.state.state === "running") {
      parts.push(form((data) => {
        send("vote.open", { title: data.get("title"), target: "notes", dots: Number(data.get("dots")) });
        drafts.delete("vote-title");
      },
      el("label", {}, gettext("Question"), " ", field("input", "vote-title", { name: "title", required: true, maxlength: 200, value: gettext("Which notes matter most?") })),
      el("label", {}, gettext("Dots per person"), " ", field("input", "vote-dots", { name: "dots", type: "number", min: 1, max: 20, value: 3 })),
      el("button", { type: "submit" }, gettext("Open a vote on these notes"))));
    } else {
      parts.push(el("p", { class: "muted" }, gettext("No vote is open.")));
    }
    for (const shown of room.votes.filter((v) => v.step === room.state.current_step).reverse()) {
      const most = Math.max(1, ...shown.results.map((r) => r.dots));
      parts.push(el("h3", { class: "vote-title" }, shown.title,
        shown.state === "closed" ? el("span", { class: "badge" }, gettext("closed")) : el("span", { class: "badge live" }, gettext("open"))));
      parts.push(el("ol", { class: "vote-results", "data-vote": shown.id },
        shown.results.map((r) => {
          const bar = el("span", { class: "result-bar", "aria-hidden": "true" }, el("span", {}));
          bar.firstChild.style.width = `${(100 * r.dots) / most}%`;
          return el("li", {},
            el("span", { class: "result-label" }, r.label),
            el("span", { class: "visually-hidden" }, " — "),
            el("span", { class: "result-dots" }, fill(ngettext("%(n)s dot", "%(n)s dots", r.dots), { n: r.dots })),
            bar);
        })));
      if (!shown.results.length) parts.push(el("p", { class: "muted" }, gettext("No dots yet.")));
    }
    box.replaceChildren(...parts);
  }

  function drawMap() {
    const { nodes, exchanges } = room.map;
    const names = new Map(nodes.map((n) => [n.id, n.name]));
    const nodeOptions = () => nodes.map((n) => el("option", { value: n.id }, n.name));
    return el("div", { class: "grid split-2-1 live-map" },
      el("section", { class: "card" },
        el("h3", {}, gettext("On the map")),
        el("ul", { class: "map-nodes" }, nodes.map((n) => el("li", { "data-node": n.id }, n.name, " ",
          el("span", { class: "muted" }, n.type), " ",
          el("button", { type: "button", class: "danger", onclick: () => send("node.delete", { id: n.id }) }, gettext("Remove"))))),
        el("h3", {}, gettext("Exchanges")),
        el("ul", { class: "map-exchanges" }, exchanges.map((e) => el("li", { "data-exchange": e.id },
          `${names.get(e.source)} → ${names.get(e.target)}`, e.dataset ? ` (${e.dataset})` : "", " ",
          el("button", { type: "button", class: "danger", onclick: () => send("exchange.delete", { id: e.id }) }, gettext("Remove")))))),
      el("section", { class: "card" },
        el("h3", {}, gettext("Add to the map")),
        form((data) => {
          send("node.add", { kind: data.get("kind"), name: (data.get("name") || "").trim() });
          drafts.delete("node-name");
        },
        el("label", {}, gettext("Kind"), " ", el("select", { name: "kind" },
          el("option", { value: "actor" }, gettext("Actor")),
          el("option", { value: "dataset" }, gettext("Dataset")),
          el("option", { value: "technology" }, gettext("Technology")))),
        el("label", {}, gettext("Name"), " ", field("input", "node-name", { name: "name", required: true, maxlength: 300 })),
        el("button", { type: "submit" }, gettext("Add"))),
        form((data) => send("exchange.add", { source: Number(data.get("source")), target: Number(data.get("target")) }),
          el("label", {}, gettext("From"), " ", el("select", { name: "source" }, nodeOptions())),
          el("label", {}, gettext("To"), " ", el("select", { name: "target" }, nodeOptions())),
          el("button", { type: "submit" }, gettext("Add exchange")))));
  }

  // --- Start --------------------------------------------------------------------------------
  document.getElementById("room-fallback").hidden = true;
  showError("");
  root.hidden = false;
  setInterval(() => room && drawTimer(), 1000);
  window.addEventListener("online", () => { if (!socket) connect(); });
  showConnection();
  connect();
})();
