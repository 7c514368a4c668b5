/* s3graph query editor: colours the query, runs it in place, keeps it in the URL.
 *
 * The page works without this file: the form is a plain GET of /sparql and the server
 * renders the query, its results or its error. This script only adds to it:
 *  - highlighting: a <pre> of coloured tokens behind the textarea, whose own text is made
 *    transparent (the textarea stays the real, accessible, form field);
 *  - running in place: Run / Ctrl+Enter / Cmd+Enter fetch the same URL the form would
 *    load, and the page's #results, #error and #downloads are swapped for the new ones,
 *    so there is one rendering of results and errors: the server's;
 *  - history: the URL is the query (pushState), so it can be shared and Back works;
 *  - examples and DESCRIBE links in the results fill the editor and run in place;
 *  - "Add missing prefixes" from the prefixes the server lists.
 * No framework, no build step: plain ES2017 that every current browser runs.
 */
(function () {
  'use strict';

  var form = document.getElementById('query-form');
  var textarea = document.getElementById('query');
  var editor = document.getElementById('editor');
  if (!form || !textarea || !editor || !window.fetch || !window.DOMParser) {
    return; // not the query page, or a browser too old: the plain form still works
  }
  var statusEl = document.getElementById('status');
  var formatSelect = document.getElementById('format');
  var inferBox = form.querySelector('input[name="infer"]');
  var prefixButton = document.getElementById('add-prefixes');

  // Past this, the query goes in a POST body: URLs this long are refused by some proxies
  // and browsers, and are no good for sharing anyway.
  var MAX_URL = 6000;

  /* --- tokenizing ----------------------------------------------------------------- */

  // One pass, left to right; the first alternative that matches at a position wins, so
  // "#" inside <...> or "..." is not a comment, and "rdfs:label" is one prefixed name.
  var TOKEN = new RegExp([
    '(#[^\\n\\r]*)',                                                  // 1 comment
    '("""[\\s\\S]*?(?:"""|$)|\'\'\'[\\s\\S]*?(?:\'\'\'|$)' +          // 2 strings: long forms
      '|"(?:[^"\\\\\\n\\r]|\\\\.)*"?|\'(?:[^\'\\\\\\n\\r]|\\\\.)*\'?)', //   and short ones
    '(<[^<>"{}|^`\\\\\\s]*>)',                                        // 3 IRI
    '([?$][A-Za-z0-9_\\u00B7-\\uFFFF]+)',                             // 4 variable
    '(@[A-Za-z]+(?:-[A-Za-z0-9]+)*)',                                 // 5 language tag
    '(_:[A-Za-z0-9_\\u00B7-\\uFFFF](?:[\\w.\\u00B7-\\uFFFF-]*[\\w\\u00B7-\\uFFFF-])?)', // 6 blank node
    '((?:[A-Za-z\\u00C0-\\uFFFF][\\w.\\u00B7-\\uFFFF-]*)?:' +          // 7 prefixed name
      '(?:[\\w:%\\u00B7-\\uFFFF-]|\\.(?=[\\w:%\\u00B7-\\uFFFF-]))*)',
    '((?:\\d+(?:\\.\\d+)?|\\.\\d+)(?:[eE][+-]?\\d+)?)',               // 8 number
    '([A-Za-z_][A-Za-z0-9_]*)'                                        // 9 word
  ].join('|'), 'g');
  var GROUP_CLASS = [null, 'com', 'str', 'iri', 'var', 'lang', 'bn', 'pn', 'num', null];

  function wordSet(words) {
    var set = Object.create(null);
    words.split(' ').forEach(function (w) { set[w] = true; });
    return set;
  }
  var KEYWORDS = wordSet('BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED DISTINCT ' +
    'REDUCED ORDER BY ASC DESC LIMIT OFFSET GROUP HAVING OPTIONAL UNION MINUS FILTER BIND AS ' +
    'VALUES GRAPH SERVICE SILENT UNDEF NOT IN EXISTS INSERT DELETE DATA WITH USING DEFAULT ALL ' +
    'LOAD CLEAR DROP CREATE ADD MOVE COPY INTO TO');
  var FUNCTIONS = wordSet('STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ' +
    'ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER ' +
    'YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 ' +
    'SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX ' +
    'SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR');

  // Calls visit(cls, text) for every piece of `text`, in order; cls is null for plain text.
  function tokenize(text, visit) {
    var last = 0, m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      if (m[0] === '') { TOKEN.lastIndex++; continue; } // "$" of an empty long string
      if (m.index > last) { visit(null, text.slice(last, m.index)); }
      var cls = null;
      for (var g = 1; g < GROUP_CLASS.length; g++) {
        if (m[g] !== undefined) { cls = GROUP_CLASS[g]; break; }
      }
      if (m[9] !== undefined) { // a word: keyword, function, boolean, "a", or a name
        var upper = m[9].toUpperCase();
        if (KEYWORDS[upper] || m[9] === 'a') { cls = 'kw'; }
        else if (FUNCTIONS[upper]) { cls = 'fn'; }
        else if (upper === 'TRUE' || upper === 'FALSE') { cls = 'num'; }
      }
      visit(cls, m[0]);
      last = TOKEN.lastIndex;
    }
    if (last < text.length) { visit(null, text.slice(last)); }
  }

  /* --- highlighting ----------------------------------------------------------------- */

  function escapeHtml(s) {
    return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }

  // The HTML of the overlay: one block per line (so that the error line can be a full-width
  // band), tokens as spans; the character at the error column gets its own span.
  function renderHighlight(text, errLine, errCol) {
    var lines = [''], lineNo = 1, col = 1, marked = false;
    function piece(cls, s) {
      if (s) { lines[lines.length - 1] += cls ? '<span class="' + cls + '">' + escapeHtml(s) + '</span>' : escapeHtml(s); }
    }
    function endLine() {
      if (lineNo === errLine && errCol && !marked) { // the error is past the line's end
        piece('err-col', ' ');
        marked = true;
      }
      lines.push('');
      lineNo++;
      col = 1;
    }
    tokenize(text, function (cls, s) {
      var tokCls = cls ? 'tok-' + cls : '';
      var parts = s.split(/\r\n|\r|\n/);
      for (var i = 0; i < parts.length; i++) {
        if (i > 0) { endLine(); }
        var p = parts[i];
        var k = errCol - col; // where the error column falls in this piece
        if (lineNo === errLine && !marked && k >= 0 && k < p.length) {
          piece(tokCls, p.slice(0, k));
          piece((tokCls + ' err-col').trim(), p.charAt(k));
          piece(tokCls, p.slice(k + 1));
          marked = true;
        } else {
          piece(tokCls, p);
        }
        col += p.length;
      }
    });
    if (lineNo === errLine && errCol && !marked) { piece('err-col', ' '); }
    return lines.map(function (html, i) {
      return '<span class="ln' + (i + 1 === errLine ? ' err' : '') + '">' + html + '</span>';
    }).join('');
  }

  var overlay = document.createElement('pre');
  overlay.className = 'highlight';
  overlay.setAttribute('aria-hidden', 'true'); // the textarea is what assistive tech reads
  var overlayCode = document.createElement('code');
  overlay.appendChild(overlayCode);
  editor.insertBefore(overlay, textarea);
  editor.classList.add('is-live');

  var errorAt = { line: 0, column: 0 }; // from #error's data attributes (0: none)
  var pending = false;

  function syncScroll() {
    overlay.scrollTop = textarea.scrollTop;
    overlay.scrollLeft = textarea.scrollLeft;
  }
  function paint() {
    pending = false;
    overlayCode.innerHTML = renderHighlight(textarea.value, errorAt.line, errorAt.column);
    syncScroll();
    updateFormats();
  }
  // Repaint at most once a frame however fast the typing.
  function schedulePaint() {
    if (!pending) { pending = true; window.requestAnimationFrame(paint); }
  }
  textarea.addEventListener('input', schedulePaint);
  textarea.addEventListener('scroll', syncScroll);
  // A resize of the textarea (its handle) changes nothing inside, but scroll offsets may
  // have been clamped: follow them.
  if (window.ResizeObserver) { new ResizeObserver(syncScroll).observe(textarea); }

  function readErrorPosition() {
    var box = document.getElementById('error');
    errorAt.line = box ? parseInt(box.getAttribute('data-line'), 10) || 0 : 0;
    errorAt.column = box ? parseInt(box.getAttribute('data-column'), 10) || 0 : 0;
    if (errorAt.line) {
      textarea.setAttribute('aria-invalid', 'true');
      textarea.setAttribute('aria-errormessage', 'error');
    } else {
      textarea.removeAttribute('aria-invalid');
      textarea.removeAttribute('aria-errormessage');
    }
  }

  // Put the caret at the error (line, column), scrolled into view, when the error's
  // snippet is clicked: the quickest way from the message to the fix.
  function caretToError() {
    if (!errorAt.line) { return; }
    var lines = textarea.value.split('\n');
    var offset = 0;
    for (var i = 0; i < errorAt.line - 1 && i < lines.length; i++) { offset += lines[i].length + 1; }
    offset += Math.max(0, Math.min((errorAt.column || 1) - 1, (lines[errorAt.line - 1] || '').length));
    textarea.focus();
    textarea.setSelectionRange(offset, offset);
  }
  document.addEventListener('click', function (event) {
    if (event.target.closest && event.target.closest('#error .error-snippet')) { caretToError(); }
  });

  /* --- the form of the query: which download formats apply --------------------------- */

  // The first of SELECT/ASK/CONSTRUCT/DESCRIBE outside comments, strings and IRIs.
  function queryForm(text) {
    var found = null;
    tokenize(text, function (cls, s) {
      if (!found && cls === 'kw') {
        var u = s.toUpperCase();
        if (u === 'SELECT' || u === 'ASK') { found = 'bindings'; }
        else if (u === 'CONSTRUCT' || u === 'DESCRIBE') { found = 'graph'; }
      }
    });
    return found;
  }
  // Grey out the download formats that do not apply to this query; if the chosen one is
  // among them, fall back to the table.
  function updateFormats() {
    if (!formatSelect) { return; }
    var kind = queryForm(textarea.value);
    var groups = formatSelect.querySelectorAll('optgroup[data-kind]');
    for (var i = 0; i < groups.length; i++) {
      groups[i].disabled = kind !== null && groups[i].getAttribute('data-kind') !== kind;
    }
    var chosen = formatSelect.options[formatSelect.selectedIndex];
    if (chosen && chosen.parentNode.disabled) { formatSelect.value = 'html'; }
  }

  /* --- running in place --------------------------------------------------------------- */

  var running = null; // the AbortController of the request in flight

  function setStatus(text, busy, link) {
    if (!statusEl) { return; }
    statusEl.textContent = text;
    statusEl.classList.toggle('is-busy', !!busy);
    if (link) {
      var a = document.createElement('a');
      a.href = '#results';
      a.textContent = link;
      statusEl.appendChild(document.createTextNode(' '));
      statusEl.appendChild(a);
    }
  }

  // Replace the element with `id` by the one of the same id in `doc` (or empty it).
  function swap(doc, id) {
    var old = document.getElementById(id);
    var fresh = doc.getElementById(id);
    if (!old) { return; }
    if (fresh) {
      old.replaceWith(document.adoptNode(fresh));
    } else {
      old.innerHTML = '';
      old.hidden = true;
    }
  }

  // When the answer is not the query page (an older error page, JSON, a proxy's page),
  // show its gist in #error so that the query and the editor stay.
  function showForeignError(response, doc, text) {
    var message = '';
    var json = null;
    try { json = JSON.parse(text); } catch (e) { json = null; }
    if (json && json.message) {
      message = json.message + (json.error ? ' (' + json.error + ')' : '');
    } else if (doc) {
      var main = doc.querySelector('main') || doc.body;
      message = main ? main.textContent.replace(/\s+/g, ' ').trim() : '';
    }
    var box = document.createElement('div');
    box.id = 'error';
    box.className = 'error-box';
    box.setAttribute('role', 'alert');
    var m = /line (\d+), column (\d+)/.exec(message); // the guard's wording of a syntax error
    box.setAttribute('data-line', m ? m[1] : '');
    box.setAttribute('data-column', m ? m[2] : '');
    var h = document.createElement('h2');
    h.textContent = 'The query failed (HTTP ' + response.status + ')';
    var p = document.createElement('p');
    p.className = 'message';
    p.textContent = message || response.statusText || 'no message';
    box.appendChild(h);
    box.appendChild(p);
    document.getElementById('error').replaceWith(box);
    var results = document.getElementById('results');
    if (results) { results.innerHTML = ''; }
    var downloads = document.getElementById('downloads');
    if (downloads) { downloads.innerHTML = ''; downloads.hidden = true; }
  }

  // A short line for the status: how many rows, or the ASK answer ('' when nothing to say).
  function summarize() {
    var table = document.querySelector('#results table');
    if (table) {
      var rows = table.querySelectorAll('tbody tr').length;
      return rows + (rows === 1 ? ' row' : ' rows');
    }
    var answer = document.querySelector('#results strong');
    return answer ? 'Answer: ' + answer.textContent : '';
  }

  // Fetch `url` (GET) or POST `params`, and put the answer in the page.
  // opts.push: add a history entry; opts.fromPage: also take the query and the checkbox
  // from the answer (Back/Forward: the URL is the truth); opts.top: scroll to the top.
  function load(url, params, opts) {
    if (running) { running.abort(); }
    var controller = new AbortController();
    running = controller;
    var post = params !== null;
    var started = Date.now();
    var results = document.getElementById('results');
    if (results) { results.classList.add('is-stale'); }
    setStatus('Running…', true);
    form.setAttribute('aria-busy', 'true');
    var init = { method: post ? 'POST' : 'GET', headers: { 'Accept': 'text/html' },
                 signal: controller.signal, credentials: 'same-origin' };
    if (post) { init.body = params; } // URLSearchParams: sent as application/x-www-form-urlencoded

    return fetch(url, init).then(function (response) {
      return response.text().then(function (text) {
        if (controller !== running) { return; } // a later run replaced this one
        var doc = null;
        var isHtml = (response.headers.get('Content-Type') || '').indexOf('text/html') === 0;
        if (isHtml) { doc = new DOMParser().parseFromString(text, 'text/html'); }
        if (doc && doc.getElementById('results')) {
          swap(doc, 'results');
          swap(doc, 'error');
          swap(doc, 'downloads');
          if (opts.fromPage) {
            var q = doc.getElementById('query');
            if (q) { textarea.value = q.value; }
            var inf = doc.querySelector('#query-form input[name="infer"]');
            if (inf && inferBox) { inferBox.checked = inf.checked; }
          }
        } else {
          showForeignError(response, doc, text);
        }
        readErrorPosition();
        paint();
        var seconds = ((Date.now() - started) / 1000).toFixed(2);
        var errorBox = document.getElementById('error');
        var errorShown = !!errorBox && !errorBox.hidden && errorBox.classList.contains('error-box');
        if (errorShown) {
          setStatus('The query has an error: the message says where.', false);
        } else {
          setStatus((summarize() || 'Done') + ' in ' + seconds + ' s.', false,
                    document.querySelector('#results table') ? 'Go to the results' : null);
        }
        if (post && opts.push && statusEl) {
          statusEl.appendChild(document.createTextNode(
            ' This query is too long for a shareable link; the address bar shows /sparql.'));
        }
        if (opts.push) {
          var state = { s3graph: true, post: post, query: textarea.value,
                        infer: inferBox ? inferBox.checked : false };
          var shown = post ? '/sparql' : url;
          if (shown === location.pathname + location.search && !post) {
            history.replaceState(state, '', shown);
          } else {
            history.pushState(state, '', shown);
          }
        }
        if (opts.top) { window.scrollTo(0, 0); }
        if (errorShown && opts.push) {
          var err = document.getElementById('error');
          var rect = err.getBoundingClientRect();
          if (rect.top < 0 || rect.bottom > window.innerHeight) { err.scrollIntoView({ block: 'nearest' }); }
        }
      });
    }).catch(function (error) {
      if (error && error.name === 'AbortError') { return; }
      setStatus('The server could not be reached (' + (error && error.message || error) + '). ' +
                'The query is still here: try again.', false);
    }).then(function () {
      if (controller === running) {
        running = null;
        form.removeAttribute('aria-busy');
        var r = document.getElementById('results');
        if (r) { r.classList.remove('is-stale'); }
      }
    });
  }

  // The form's fields as the URL the plain form would load (or a POST when too long).
  function run(opts) {
    var params = new URLSearchParams(new FormData(form));
    var url = '/sparql?' + params.toString();
    if (url.length > MAX_URL) { return load('/sparql', params, opts); }
    return load(url, null, opts);
  }

  function submitForm() {
    // Any format but the table is a download: let the browser do it the plain way.
    if (formatSelect && formatSelect.value !== 'html') { form.submit(); return; }
    run({ push: true });
  }

  form.addEventListener('submit', function (event) {
    if (formatSelect && formatSelect.value !== 'html') { return; } // a normal submission: download
    event.preventDefault();
    run({ push: true });
  });

  textarea.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submitForm();
    }
  });

  // A link to /sparql?query=... (an example, a DESCRIBE link in the results) runs in place,
  // as the query in the editor; a modified click (new tab, ...) stays the browser's.
  document.addEventListener('click', function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) { return; }
    var a = event.target.closest ? event.target.closest('a[href]') : null;
    if (!a || a.hasAttribute('download') || a.target || !a.closest('main')) { return; }
    var target = new URL(a.href, location.href);
    if (target.origin !== location.origin || target.pathname !== '/sparql') { return; }
    var q = target.searchParams.get('query');
    var fmt = target.searchParams.get('format');
    if (q === null || (fmt && fmt !== 'html')) { return; }
    event.preventDefault();
    textarea.value = q;
    if (inferBox) { inferBox.checked = target.searchParams.get('infer') === 'false'; }
    if (formatSelect) { formatSelect.value = 'html'; }
    errorAt.line = errorAt.column = 0;
    paint();
    run({ push: true, top: true });
  });

  // An entry of a POSTed query: its URL is a bare /sparql, so the query is in its state.
  function isPosted(state) {
    return !!state && state.s3graph === true && state.post === true && typeof state.query === 'string';
  }
  // Put that entry's query in the editor and POST it again (no new history entry).
  function runPosted(state) {
    textarea.value = state.query;
    if (inferBox) { inferBox.checked = !!state.infer; }
    if (formatSelect) { formatSelect.value = 'html'; }
    errorAt.line = errorAt.column = 0;
    paint();
    var params = new URLSearchParams(new FormData(form));
    return load('/sparql', params, { push: false });
  }

  // Back / Forward: show that entry's query and its answer again.
  window.addEventListener('popstate', function (event) {
    var state = event.state;
    if (isPosted(state)) {
      runPosted(state);
    } else {
      load(location.pathname + location.search, null, { push: false, fromPage: true });
    }
  });

  /* --- prefixes ----------------------------------------------------------------------- */

  var known = Object.create(null); // prefix -> namespace IRI, from the server's list
  var knownCount = 0;
  var items = document.querySelectorAll('#prefix-list [data-prefix]');
  for (var i = 0; i < items.length; i++) {
    known[items[i].getAttribute('data-prefix')] = items[i].getAttribute('data-iri');
    knownCount++;
  }

  // Prefixes used in the query but not declared in it, and known to the server.
  function missingPrefixes(text) {
    var declared = Object.create(null), used = [], seen = Object.create(null);
    var re = /PREFIX\s+([A-Za-z\u00C0-\uFFFF][\w.\u00B7-\uFFFF-]*)?:/gi, m;
    // only declarations outside comments and strings count: blank those out first
    var code = '';
    tokenize(text, function (cls, s) { code += cls === 'com' || cls === 'str' ? ' ' : s; });
    while ((m = re.exec(code)) !== null) { declared[m[1] || ''] = true; }
    tokenize(text, function (cls, s) {
      if (cls !== 'pn') { return; }
      var p = s.slice(0, s.indexOf(':'));
      if (!declared[p] && !seen[p] && known[p] !== undefined) { seen[p] = true; used.push(p); }
    });
    return used;
  }

  if (prefixButton && knownCount) {
    prefixButton.hidden = false;
    prefixButton.addEventListener('click', function () {
      var missing = missingPrefixes(textarea.value);
      if (!missing.length) { setStatus('Every prefix the query uses is declared.', false); return; }
      var lines = missing.map(function (p) { return 'PREFIX ' + p + ': <' + known[p] + '>\n'; }).join('');
      textarea.focus();
      textarea.setSelectionRange(0, 0);
      // execCommand keeps the browser's undo (Ctrl+Z) working; setRangeText is the fallback.
      var done = false;
      try { done = document.execCommand('insertText', false, lines); } catch (e) { done = false; }
      if (!done) { textarea.setRangeText(lines, 0, 0, 'end'); }
      schedulePaint();
      setStatus('Added ' + missing.map(function (p) { return p + ':'; }).join(' ') + '.', false);
    });
  }

  /* --- start ----------------------------------------------------------------------- */

  // How this document was loaded: 'navigate', 'reload' or 'back_forward'.
  function navigationType() {
    var perf = window.performance;
    var entry = perf && perf.getEntriesByType ? perf.getEntriesByType('navigation')[0] : null;
    if (entry && entry.type) { return entry.type; }
    if (perf && perf.navigation) { return ['navigate', 'reload', 'back_forward'][perf.navigation.type] || 'navigate'; }
    return 'back_forward';
  }

  readErrorPosition();
  paint();
  if (isPosted(history.state) && navigationType() !== 'navigate') {
    // Back (or Reload) to the entry of a POSTed query from another page: the browser loaded
    // a bare /sparql, whose form has the server's default query; the entry's state still
    // has the query, so put it back and run it again. The state is kept as it is.
    // (A new visit of /sparql from that entry, a link or the address bar, may keep its
    // state in Chromium: that one shows the default query, and the state is replaced.)
    runPosted(history.state);
  } else {
    // The first entry gets a state too, so that coming Back to it is handled like the rest.
    history.replaceState({ s3graph: true, post: false }, '', location.href);
  }
}());
