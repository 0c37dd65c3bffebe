// GraphiQL for DSPex: the page's own endpoint, the CSRF token of the session, the explorer plugin.
// Options come from the JSON in #graphiql-options (no inline script). No subscriptions.
(function (document, window, React, ReactDOM, GraphiQL, GraphiQLPluginExplorer) {
  "use strict";

  var options = JSON.parse(document.getElementById("graphiql-options").textContent);

  // query, variables and operationName live in the URL fragment, so a query can be shared.
  var parameters = {};
  window.location.hash
    .substr(1)
    .split("&")
    .forEach(function (entry) {
      var eq = entry.indexOf("=");
      if (eq >= 0) {
        parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
      }
    });

  function updateURL() {
    var fragment = Object.keys(parameters)
      .filter(function (key) { return parameters[key] !== undefined && parameters[key] !== null; })
      .map(function (key) { return encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]); })
      .join("&");
    window.history.replaceState(null, "", "#" + fragment);
  }

  function csrfToken() {
    var match = ("; " + document.cookie).split("; csrftoken=");
    if (match.length === 2) {
      return match.pop().split(";").shift();
    }
    var input = document.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  var headers = {};
  var token = csrfToken();
  if (token) {
    headers["X-CSRFToken"] = token;
  }
  var fetcher = GraphiQL.createFetcher({ url: window.location.pathname, headers: headers });

  function DSPexGraphiQL() {
    var state = React.useState(parameters.query);
    var query = state[0];
    var setQuery = state[1];

    function onEditQuery(value) {
      setQuery(value);
      parameters.query = value;
      updateURL();
    }

    var explorer = GraphiQLPluginExplorer.useExplorerPlugin({ query: query, onEdit: onEditQuery });

    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [explorer],
      query: query,
      variables: parameters.variables,
      operationName: parameters.operationName,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: options.headerEditorEnabled,
      shouldPersistHeaders: options.shouldPersistHeaders,
      inputValueDeprecation: options.inputValueDeprecation,
      onEditQuery: onEditQuery,
      onEditVariables: function (value) { parameters.variables = value; updateURL(); },
      onEditOperationName: function (value) { parameters.operationName = value; updateURL(); },
    });
  }

  ReactDOM.render(React.createElement(DSPexGraphiQL), document.getElementById("graphiql"));
})(document, window, window.React, window.ReactDOM, window.GraphiQL, window.GraphiQLPluginExplorer);
