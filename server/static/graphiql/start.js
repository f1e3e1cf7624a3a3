// GraphiQL for the CJeune API, with the query explorer. Adapted from strawberry's page
// (strawberry/static/graphiql.html): the query and variables are kept in the address, and
// subscriptions go over the same URL with graphql-transport-ws.
"use strict";

const EXAMPLE_QUERY = `# GraphiQL for the CJeune API (development only).
#
# Sign in with the login mutation below (the demo's logins are printed by
# \`cjeune serve --demo\`), then add the header
#   { "Authorization": "Bearer <accessToken>" }
# in the Headers tab and run authenticated queries, such as { me { email } }.
#
# Run: Ctrl-Enter. Complete: Ctrl-Space.

mutation SignIn {
  login(email: "lea.martin@jeune.test", password: "Calanques-2026!") {
    __typename
    ... on AuthPayload { accessToken expiresIn user { firstName kind } }
    ... on UserError { code message }
  }
}
`;

const parameters = {};
for (const entry of window.location.search.slice(1).split("&")) {
  const eq = entry.indexOf("=");
  if (eq >= 0) {
    parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
  }
}

function updateURL(data) {
  Object.assign(parameters, data);
  const search = Object.keys(parameters)
    .filter((key) => Boolean(parameters[key]))
    .map((key) => encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]))
    .join("&");
  history.replaceState(null, null, "?" + search);
}

const fetchURL = window.location.href.split("?")[0];
const subscriptionURL = (() => {
  const url = new URL(fetchURL);
  url.protocol = url.protocol === "http:" ? "ws:" : "wss:";
  url.hash = "";
  return url.toString();
})();

const fetcher = GraphiQL.createFetcher({ url: fetchURL, subscriptionUrl: subscriptionURL });

function GraphiQLWithExplorer() {
  const [query, setQuery] = React.useState(parameters.q || EXAMPLE_QUERY);
  const [variables, setVariables] = React.useState(parameters.variables);
  const [headers, setHeaders] = React.useState(parameters.headers);
  const explorerPlugin = GraphiQLPluginExplorer.explorerPlugin();
  return React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultEditorToolsVisibility: true,
    plugins: [explorerPlugin],
    query: query,
    variables: variables,
    headers: headers,
    onEditQuery: (value) => {
      setQuery(value);
      updateURL({ q: value });
    },
    onEditVariables: (value) => {
      setVariables(value);
      updateURL({ variables: value });
    },
    onEditHeaders: setHeaders,
    inputValueDeprecation: true,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
  });
}

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQLWithExplorer),
);
