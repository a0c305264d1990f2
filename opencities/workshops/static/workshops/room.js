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
  let retry = null; // the timer of the next attempt to connect
  let waiting = new Map(); // changes that came before the ones they follow, by version
  let batching = false; // reading a batch frame: draw once at its end
  let gapTimer = null;
  const drafts = new Map(); // what people are typing, by field key, kept across redraws
  const editing = new Set(); // ids of notes being edited here
  let dragging = null; // the note being dragged here: redraws wait until it is dropped
  let drawLater = false;
  const answers = new Map(); // seq -> what waits for its answer (the map editor's changes)

  // --- Connection ---------------------------------------------------------------------------
  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}/ws/room/${ROOM}/`);
    socket.addEventListener("open", () => {
      attempts = 0;
      hello(room ? version : null);
    });
    socket.addEventListener("message", (event) => {
      // Several messages at once come as one batch frame, in order; the room is drawn once.
      const frame = JSON.parse(event.data);
      if (frame.type !== "batch") return receive(frame);
      batching = true;
      try {
        for (const message of frame.messages) receive(message);
      } finally {
        batching = false;
      }
      if (room) draw();
    });
    socket.addEventListener("close", (event) => {
      connected = false;
      socket = null;
      if (NO_RETRY.has(event.code)) {
        status(gettext("You are no longer in this room: reload the page."), "offline");
        return;
      }
      attempts += 1;
      const delay = Math.min(15000, 500 * 2 ** attempts) * (0.75 + Math.random() / 2);
      retry = setTimeout(connect, delay);
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
    return tab.seq;
  }

  /** Send an operation and wait for its answer: the change (the ack's result), or the error. */
  function ask(op, data) {
    return new Promise((resolve, reject) => answers.set(send(op, data), { resolve, reject }));
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
        settle(message.seq, message);
        break;
      case "error":
        if (!settle(message.seq, message)) showError(message.message);
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
      // Changes that arrived before the welcome: keep those the snapshot does not hold yet.
      waiting = new Map([...waiting].filter(([v]) => v > version));
      applyWaiting();
    }
    room.state = message.state;
    connected = true;
    for (const operation of tab.outbox) socket.send(JSON.stringify(operation));
    showConnection();
    draw();
  }

  /** An operation was answered: out of the outbox; whoever waits for it hears (true if any). */
  function settle(seq, answer) {
    tab.outbox = tab.outbox.filter((operation) => operation.seq !== seq);
    save();
    showConnection();
    const waiter = answers.get(seq);
    if (!waiter) return false;
    answers.delete(seq);
    if (answer.type === "ack") waiter.resolve(answer.result);
    else waiter.reject(Object.assign(new Error(answer.message), { code: answer.code, errors: answer.errors || {} }));
    return true;
  }

  function applyWaiting() {
    while (waiting.has(version + 1)) {
      const next = waiting.get(version + 1);
      waiting.delete(version + 1);
      version = next.version;
      apply(next);
    }
  }

  function change(message) {
    if (room && message.version <= version) return;
    waiting.set(message.version, message);
    if (!room) return; // before the first welcome: applied once the snapshot is in
    applyWaiting();
    clearTimeout(gapTimer);
    if (waiting.size) {
      // A change is missing (changes from several people crossed): ask for it if it is late.
      gapTimer = setTimeout(() => connected && hello(version), 1000);
    }
    if (!batching) draw();
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
    } else if (area === "node" || area === "nodes" || area === "exchange") {
      applyMap(kind, payload);
    } else {
      hello(null); // the agenda changed: draw it again from the whole room
    }
  }

  function applyMap(kind, payload) {
    const map = room.map;
    if (!map || map.map.id !== payload.map) return;
    if (kind === "nodes.move") {
      const moved = new Map(payload.positions.map((p) => [p.id, p]));
      for (const node of map.nodes) if (moved.has(node.id)) Object.assign(node, { x: moved.get(node.id).x, y: moved.get(node.id).y });
    } else if (kind === "node.delete") {
      map.nodes = map.nodes.filter((n) => n.id !== payload.id);
      map.exchanges = map.exchanges.filter((e) => !payload.exchanges.includes(e.id));
    } else if (kind === "exchange.delete") {
      map.exchanges = map.exchanges.filter((e) => e.id !== payload.id);
    } else if (payload.node) {
      map.nodes = [...map.nodes.filter((n) => n.id !== payload.id), payload.node];
    } else if (payload.exchange) {
      map.exchanges = [...map.exchanges.filter((e) => e.id !== payload.id), payload.exchange];
    }
    if (mapView && mapView.map === payload.map) mapView.editor.receive(kind, payload);
    else findings = null; // worked out again when a vote needs them
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
      closeEditor();
      area.replaceChildren();
      return;
    }
    const position = room.steps.indexOf(step) + 1;
    title.replaceChildren(
      el("p", { class: "step-count" },
        fill(gettext("Step %(n)s of %(all)s"), { n: position, all: room.steps.length }),
        room.state.locked ? el("span", { class: "badge locked" }, gettext("Editing is locked")) : null),
      el("h2", {}, step.title));
    if (step.map) {
      drawMapStep(area, step);
      return;
    }
    closeEditor();
    area.replaceChildren(...step.boards.map(([key, name]) => drawBoard(step, key, name)));
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
      if (vote.target !== "notes") parts.push(drawCandidates(vote, step));
    } else if (canRun() && step && step.map && room.state.state === "running") {
      parts.push(mapVoteForm());
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

  // --- Votes on the map: its blocked flows or its opportunities -----------------------------
  const MAP_VOTES = {
    blocked_flows: gettext("Which blocked flows should we unblock first?"),
    opportunities: gettext("Which opportunities should we take up first?"),
  };

  function mapVoteForm() {
    const target = field("select", "map-vote-target", { name: "target", "aria-label": gettext("Vote on") });
    target.append(
      el("option", { value: "blocked_flows" }, gettext("the blocked flows")),
      el("option", { value: "opportunities" }, gettext("the opportunities")));
    target.value = drafts.get("map-vote-target") ?? "blocked_flows";
    const title = field("input", "map-vote-title", { name: "title", maxlength: 200, placeholder: MAP_VOTES[target.value] });
    target.addEventListener("change", () => { title.placeholder = MAP_VOTES[target.value]; });
    return form((data) => {
      const on = data.get("target");
      send("vote.open", { title: (data.get("title") || "").trim() || MAP_VOTES[on], target: on, dots: Number(data.get("dots")) });
      drafts.delete("map-vote-title");
    },
    el("label", {}, gettext("Vote on"), " ", target),
    el("label", {}, gettext("Question"), " ", title),
    el("label", {}, gettext("Dots per person"), " ", field("input", "map-vote-dots", { name: "dots", type: "number", min: 1, max: 20, value: 3 })),
    el("button", { type: "submit" }, gettext("Open the vote")));
  }

  /** What a map vote is about, each with the key a dot on it names; null while the
   * opportunities are being worked out. */
  function candidates(vote, step) {
    const map = room.map && room.map.map.id === step.map ? room.map : null;
    if (!map) return null;
    if (vote.target === "blocked_flows") {
      const names = new Map(map.nodes.map((n) => [n.id, n.name]));
      return map.exchanges.filter((e) => e.status === "blocked").map((e) => ({
        key: String(e.id),
        label: `${names.get(e.source)} → ${names.get(e.target)}${e.dataset ? `: ${e.dataset}` : ""}`,
      }));
    }
    if (!findings || findings.map !== step.map) {
      // The editor reloads them itself after every change; without it, the room asks.
      if (!mapView && !findingsLoading) loadFindings().catch((error) => showError(error.message));
      return null;
    }
    return findings.list.filter((f) => f.key).map((f) => ({ key: f.key, label: f.title }));
  }

  function drawCandidates(vote, step) {
    const list = candidates(vote, step);
    if (list === null) return el("p", { class: "muted" }, gettext("Loading what there is to vote on…"));
    if (!list.length) {
      return el("p", { class: "muted" }, vote.target === "blocked_flows"
        ? gettext("No flow on this map is blocked.") : gettext("This map shows no opportunity yet."));
    }
    return el("ul", { class: "vote-candidates" }, list.map((c) =>
      el("li", { "data-target": c.key }, el("span", { class: "candidate-label" }, c.label), dotTools(vote, c.key))));
  }

  // --- The map editor of a map step ---------------------------------------------------------
  // maps/_editor.html in the page, moved into the step's area on a map step; the editor itself
  // (opencities/map-editor.js, with Cytoscape) is loaded on the first map step only. It saves
  // through this room's operations and draws everyone's changes as they are applied (applyMap).
  const CONFIG = JSON.parse(document.getElementById("room-config").textContent);
  const EDITOR_CONFIG = JSON.parse(document.getElementById("editor-config").textContent);
  const MAP_STYLE = JSON.parse(document.getElementById("map-style").textContent);
  const MOVES_PER_MESSAGE = 500; // nodes.move entries in one message, well under its 64 KB
  const mapArea = document.getElementById("live-map");
  mapArea.remove();
  mapArea.hidden = false;
  let mapView = null; // the mounted editor: { editor, map, editable, source }
  let editorScripts = null; // a promise, once the editor's scripts are asked for
  let findings = null; // { map, list } of the current map's findings
  let findingsAsked = 0;
  let findingsLoading = false;

  const canWrite = () => room.state.state === "running" && (!room.state.locked || canRun());

  function loadEditorScripts() {
    editorScripts = editorScripts || Promise.all(CONFIG.editorScripts.map((src) => new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.async = false; // run in order: Cytoscape, its layout, then the editor
      script.addEventListener("load", resolve);
      script.addEventListener("error", () => reject(new Error(src)));
      document.head.append(script);
    }))).catch((error) => {
      editorScripts = null;
      throw error;
    });
    return editorScripts;
  }

  async function getJSON(address) {
    let response;
    try {
      response = await fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } });
    } catch (error) {
      throw new Error(gettext("The server could not be reached: check your connection and try again."));
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.message || gettext("The server could not be reached: check your connection and try again."));
    return data;
  }

  /** The current map's findings (the room's route), kept for the votes on opportunities. */
  async function loadFindings() {
    const asked = ++findingsAsked;
    findingsLoading = true;
    let data;
    try {
      data = await getJSON(CONFIG.findings);
    } finally {
      if (asked === findingsAsked) findingsLoading = false;
    }
    if (asked === findingsAsked) {
      findings = { map: data.map, list: data.findings };
      if (room) drawVotes();
    }
    return data;
  }

  function liveTransport(mapId, editable) {
    // Every change names the map it was made on: the server refuses it if the room has moved on.
    const request = (op, data) => ask(op, { ...data, map: mapId });
    return {
      load: async () => ({
        map: { ...room.map.map, can_edit: editable },
        nodes: structuredClone(room.map.nodes),
        exchanges: structuredClone(room.map.exchanges),
      }),
      findings: async () => {
        const data = await loadFindings();
        return data.map === mapId ? data.findings : [];
      },
      inventory: async (q, kind) => (await getJSON(`${CONFIG.inventory}?${new URLSearchParams({ q, kind })}`)).results,
      addNode: async (fields) => {
        const data = { kind: fields.type, name: fields.name, roles: fields.roles || [] };
        if (typeof fields.x === "number" && typeof fields.y === "number") Object.assign(data, { x: fields.x, y: fields.y });
        return (await request("node.add", data)).node;
      },
      changeNode: async (id, fields) => ("roles" in fields
        ? (await request("node.edit", { id, roles: fields.roles })).node
        : (await request("node.move", { id, x: fields.x, y: fields.y })).node),
      removeNode: (id) => request("node.delete", { id }),
      move: (positions) => {
        if (positions.length === 1) return request("node.move", positions[0]);
        const parts = [];
        for (let i = 0; i < positions.length; i += MOVES_PER_MESSAGE) {
          parts.push(request("nodes.move", { positions: positions.slice(i, i + MOVES_PER_MESSAGE) }));
        }
        return Promise.all(parts);
      },
      addExchange: async (fields) => (await request("exchange.add", fields)).exchange,
      changeExchange: async (id, fields) => (await request("exchange.edit", { id, ...fields })).exchange,
      removeExchange: (id) => request("exchange.delete", { id }),
    };
  }

  function drawMapStep(area, step) {
    if (area.childElementCount !== 1 || area.firstElementChild !== mapArea) area.replaceChildren(mapArea);
    if (mapView && mapView.map !== step.map) closeEditor();
    if (!room.map || room.map.map.id !== step.map) return; // the step's map is on its way
    if (mapView && mapView.editable === canWrite()) {
      if (mapView.source !== room.map) {
        mapView.source = room.map; // the whole room came again (after a long absence)
        mapView.editor.sync(structuredClone(room.map));
      }
      return;
    }
    loadEditorScripts().then(mountEditor, (error) => {
      const loading = document.getElementById("map-loading");
      if (loading) loading.textContent = fill(gettext("The map could not be loaded: %(error)s"), { error: error.message });
    });
  }

  /** Mount the editor on the current step's map, or again when editing is locked or unlocked
   * (keeping the selection and the view). */
  function mountEditor() {
    const step = currentStep();
    if (!step || !step.map || !room.map || room.map.map.id !== step.map || !mapArea.isConnected) return;
    const editable = canWrite();
    if (mapView && mapView.map === step.map && mapView.editable === editable) return;
    const keep = mapView && mapView.map === step.map ? mapView.editor.view() : {};
    closeEditor();
    const editor = window.OpenCitiesMapEditor.mount(document.getElementById("map-editor"), {
      transport: liveTransport(step.map, editable),
      config: EDITOR_CONFIG,
      look: MAP_STYLE,
      keep,
    });
    mapView = { editor, map: step.map, editable, source: room.map };
  }

  function closeEditor() {
    if (!mapView) return;
    mapView.editor.destroy();
    mapView = null;
  }

  // --- Start --------------------------------------------------------------------------------
  document.getElementById("room-fallback").hidden = true;
  showError("");
  root.hidden = false;
  setInterval(() => room && drawTimer(), 1000);
  window.addEventListener("online", () => {
    if (socket) return;
    clearTimeout(retry); // back online: connect now, instead of (not as well as) when it is due
    connect();
  });
  showConnection();
  connect();
})();
