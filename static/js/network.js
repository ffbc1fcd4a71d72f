// A cooperative's partnership network, drawn with cytoscape from the JSON the page
// carries (#kn-network-data). Clicking an organisation opens its page, clicking a
// line opens the partnership. The list below the drawing holds the same links for
// keyboards and screen readers; without this script only the list is shown.
// On the network's own page it is drawn at once; on the cooperative's profile once
// kopnet.js has fetched it in ("kn:deferred").
(function () {
  const CYTOSCAPE_STYLESHEET = "__________cytoscape_stylesheet";
  // The words that open most cooperatives' names, as the movement shortens them: four
  // "Induk Koperasi ..." then differ in what follows instead of all ending in "...".
  const SHORT_FORMS = [
    [/^Induk Koperasi Unit Desa\b/i, "INKUD"],
    [/^Induk Koperasi\b/i, "Inkop"],
    [/^Pusat Koperasi Unit Desa\b/i, "PUSKUD"],
    [/^Pusat Koperasi\b/i, "Puskop"],
    [/^Gabungan Koperasi\b/i, "Gakop"],
    [/^Koperasi Unit Desa\b/i, "KUD"],
    [/^Koperasi Simpan Pinjam\b/i, "KSP"],
    [/^Koperasi Serba Usaha\b/i, "KSU"],
    [/^Koperasi\b/i, "Kop."],
  ];

  // What a company's name carries that tells partners apart least: its legal form's
  // tail ("PT Bank Rakyat Indonesia (Persero) Tbk" reads as "PT Bank Rakyat Indonesia").
  const TAILS = /(\s*\(Persero\)|\s*,?\s*Tbk\.?)+$/i;

  function abbreviated(label) {
    const shortened = label.replace(TAILS, "");
    for (const [words, short] of SHORT_FORMS) {
      if (words.test(shortened)) return shortened.replace(words, short);
    }
    return shortened;
  }

  function draw() {
    const container = document.getElementById("kn-network");
    const source = document.getElementById("kn-network-data");
    if (!container || !source || container.kopnetNetwork || typeof cytoscape === "undefined") return;
    const data = JSON.parse(source.textContent);
    const colours = Object.fromEntries(data.legend.map((item) => [item.value, item.colour]));

    const elements = [
      ...data.nodes.map((node) => ({ data: { ...node, label: abbreviated(node.label) }, classes: node.kind })),
      ...data.edges.map((edge) => ({
        data: { ...edge, colour: colours[edge.category] || "#666" },
        classes: edge.international ? "international" : "",
      })),
    ];

    // The cooperative in the middle, its partners in rings around it: the most recent
    // (first in the data) on the inner ring, older ones on wider rings further out.
    const rings = new Map();
    let ring = 0;
    let capacity = 10;
    let room = capacity;
    for (const node of data.nodes) {
      if (node.kind === "self") continue;
      if (room === 0) {
        ring += 1;
        capacity += 8;
        room = capacity;
      }
      rings.set(node.id, ring);
      room -= 1;
    }

    // Cytoscape adds a <style> element for its container unless an element with this id
    // exists; the CSP refuses inline styles, so partnerships.css holds its one rule
    // (.__________cytoscape_container) and this placeholder tells cytoscape so.
    if (!document.getElementById(CYTOSCAPE_STYLESHEET)) {
      const placeholder = document.createElement("meta");
      placeholder.id = CYTOSCAPE_STYLESHEET;
      document.head.append(placeholder);
    }
    const cy = cytoscape({
      container,
      elements,
      layout: {
        name: "concentric",
        concentric: (node) => (node.data("kind") === "self" ? 100 : 99 - rings.get(node.id())),
        levelWidth: () => 1,
        minNodeSpacing: 60,
        padding: 24,
        animate: false,
      },
      // Drag to pan; zoom with a pinch or Ctrl + wheel (see below), so that the wheel
      // alone still scrolls the page past the picture.
      minZoom: 0.2,
      maxZoom: 4,
      boxSelectionEnabled: false,
      autoungrabify: true,
      style: [
        {
          selector: "node",
          style: {
            label: "data(label)",
            "font-size": 12,
            color: "#212529",
            "text-background-color": "#fff",
            "text-background-opacity": 0.85,
            "text-background-padding": 2,
            "text-valign": "bottom",
            "text-margin-y": 3,
            "text-wrap": "ellipsis",
            "text-max-width": "110px",
            width: 22,
            height: 22,
            "border-width": 1,
            "border-color": "#333",
          },
        },
        // The organisation the picture is of: its whole name, on two lines if need be.
        {
          selector: "node.self",
          style: {
            "background-color": "#0b5137", width: 40, height: 40, "font-weight": "bold",
            "text-wrap": "wrap", "text-max-width": "220px",
          },
        },
        { selector: "node.cooperative", style: { "background-color": "#5fae84", shape: "ellipse" } },
        { selector: "node.partner", style: { "background-color": "#d9d9d9", shape: "round-rectangle" } },
        {
          selector: "edge",
          // Partnerships with the same organisation run side by side, close together.
          style: {
            width: 2,
            "line-color": "data(colour)",
            "curve-style": "bezier",
            "control-point-step-size": 6,
            opacity: 0.85,
          },
        },
        { selector: "edge.international", style: { "line-style": "dashed" } },
      ],
    });

    // Cytoscape listens to the wheel on the container; a plain wheel stops at its
    // parent (capture phase) and scrolls the page, Ctrl + wheel and a touchpad's pinch
    // (a wheel with ctrlKey) reach cytoscape and zoom the picture.
    container.parentNode.addEventListener(
      "wheel",
      (event) => {
        if (!event.ctrlKey && container.contains(event.target)) event.stopPropagation();
      },
      { capture: true },
    );
    // Fitted whole, a network of dozens of partners is drawn too small to read: start
    // closer, on the cooperative and its most recent partners; the rest is a drag or a
    // zoom away, and a double click on the background shows it whole.
    const readable = 0.75;
    cy.ready(() => {
      if (cy.zoom() < readable) {
        cy.zoom(readable);
        cy.center(cy.nodes(".self"));
      }
    });
    // A double click on the background fits the whole network again.
    cy.on("dbltap", (event) => {
      if (event.target === cy) cy.fit(undefined, 24);
    });
    // The drawing and its labels' shortening, for the browser tests and the console.
    container.kopnetNetwork = cy;
    container.kopnetAbbreviated = abbreviated;

    cy.on("tap", "node, edge", (event) => {
      const url = event.target.data("url");
      if (url) window.location.assign(url);
    });
    cy.on("mouseover", "node, edge", (event) => {
      if (event.target.data("url")) container.style.cursor = "pointer";
      // The whole name, as the browser's tooltip (a label may be shortened or cut).
      const name = event.target.data("name") || event.target.data("title");
      if (name) container.setAttribute("title", name);
    });
    cy.on("mouseout", "node, edge", () => {
      container.removeAttribute("title");
      container.style.cursor = "";
    });
  }

  draw();
  document.addEventListener("kn:deferred", draw);
})();
