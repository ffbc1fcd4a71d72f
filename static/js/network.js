// A cooperative's partnership network, drawn with cytoscape from the JSON the page
// carries (#kn-network-data). Clicking an organisation opens its page, clicking a
// line opens the partnership. The list below the drawing holds the same links for
// keyboards and screen readers; without this script only the list is shown.
(function () {
  const container = document.getElementById("kn-network");
  const source = document.getElementById("kn-network-data");
  if (!container || !source || typeof cytoscape === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colours = Object.fromEntries(data.legend.map((item) => [item.value, item.colour]));

  const elements = [
    ...data.nodes.map((node) => ({ data: node, classes: node.kind })),
    ...data.edges.map((edge) => ({
      data: { ...edge, colour: colours[edge.category] || "#666" },
      classes: edge.international ? "international" : "",
    })),
  ];

  const cy = cytoscape({
    container,
    elements,
    // The cooperative in the middle, its partners in rings around it.
    layout: {
      name: "concentric",
      concentric: (node) => (node.data("kind") === "self" ? 2 : 1),
      levelWidth: () => 1,
      minNodeSpacing: 60,
      padding: 24,
      animate: false,
    },
    userZoomingEnabled: false, // the page scrolls, the picture does not catch the wheel
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
      { selector: "node.self", style: { "background-color": "#0b5137", width: 40, height: 40, "font-weight": "bold" } },
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

  cy.on("tap", "node, edge", (event) => {
    const url = event.target.data("url");
    if (url) window.location.assign(url);
  });
  cy.on("mouseover", "node, edge", (event) => {
    if (event.target.data("url")) container.style.cursor = "pointer";
  });
  cy.on("mouseout", "node, edge", () => {
    container.style.cursor = "";
  });
})();
