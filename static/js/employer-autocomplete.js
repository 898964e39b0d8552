/* Employer name autocomplete with the 云 badge. Dependency-free; works in WeChat's browser.
 *
 * <input name="employer_name" data-employer-autocomplete
 *        data-search-url="/api/v1/employers/search"
 *        data-fill='{"employer_id": "#id_employer_id", "credit_code": "#id_credit_code", ...}'>
 *
 * 云 means one thing everywhere: the search API's `cloud` field (the entry is in the
 * platform directory). Picking a 云 entry fills the mapped fields with its directory details
 * (and the hidden employer id) and shows what was picked with a 取消选择 button. Typing over
 * the name afterwards, or 取消选择, clears the id AND the fields the entry filled, so nothing
 * of the old employer stays behind. Fires "employer:picked" / "employer:cleared" on the input.
 */
(function () {
  "use strict";

  var DELAY = 120;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function attach(input) {
    if (input.dataset.employerAutocompleteReady) return;
    input.dataset.employerAutocompleteReady = "1";
    var url = input.dataset.searchUrl || "/api/v1/employers/search";
    var fill = {};
    try { fill = JSON.parse(input.dataset.fill || "{}"); } catch (e) { fill = {}; }
    var limit = input.dataset.limit || "10";

    var wrap = el("div", "employer-ac");
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    var list = el("ul", "employer-ac-list");
    list.setAttribute("role", "listbox");
    list.id = (input.id || "employer") + "-suggestions";
    list.hidden = true;
    wrap.appendChild(list);
    input.setAttribute("autocomplete", "off");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");

    var timer = null, controller = null, results = [], active = -1, picked = null, composing = false;
    var status = el("div", "employer-ac-picked");
    status.hidden = true;
    var statusText = el("span", "");
    var unpick = el("button", "btn secondary employer-ac-unpick", "取消选择");
    unpick.type = "button";
    status.appendChild(statusText);
    status.appendChild(unpick);
    wrap.appendChild(status);

    function target(key) {
      var selector = fill[key];
      return selector ? document.querySelector(selector) : null;
    }

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      input.setAttribute("aria-expanded", "false");
      active = -1;
    }

    function render(query) {
      list.innerHTML = "";
      if (!results.length) {
        if (query.length >= 2) {
          var none = el("li", "employer-ac-none", "未找到，请继续填写单位信息");
          list.appendChild(none);
          list.hidden = false;
        } else {
          close();
        }
        return;
      }
      results.forEach(function (item, index) {
        var li = el("li", "employer-ac-item");
        li.setAttribute("role", "option");
        li.id = list.id + "-" + index;
        var title = el("div", "employer-ac-name");
        title.appendChild(document.createTextNode(item.name));
        if (item.cloud) {
          var badge = el("span", "cloud-badge", "云");
          badge.title = "平台名录中的单位，可直接选用";
          title.appendChild(badge);
        }
        li.appendChild(title);
        var meta = [item.region, item.nature_display, item.credit_code].filter(Boolean).join(" · ");
        li.appendChild(el("div", "employer-ac-meta", meta));
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });
        li.addEventListener("click", function () { pick(index); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function highlight(index) {
      var items = list.querySelectorAll(".employer-ac-item");
      items.forEach(function (item, i) { item.classList.toggle("active", i === index); });
      active = index;
      if (index >= 0 && items[index]) input.setAttribute("aria-activedescendant", items[index].id);
    }

    function setField(key, value) {
      var node = target(key);
      if (!node) return;
      node.value = value == null ? "" : value;
      node.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function lock(on) {
      // The directory is the source of a picked entry's identity: its code is not typed over.
      Object.keys(fill).forEach(function (key) {
        var node = target(key);
        if (node && node.tagName === "INPUT" && node.type !== "hidden" && key === "credit_code") {
          node.readOnly = on;
        }
      });
    }

    function showPicked(name) {
      statusText.textContent = "已选用平台名录单位（云）：" + name + " ";
      status.hidden = false;
    }

    function clearPicked(keepName) {
      if (!picked) return;
      picked = null;
      Object.keys(fill).forEach(function (key) { setField(key, ""); });
      lock(false);
      status.hidden = true;
      if (!keepName) input.value = "";
      input.dispatchEvent(new CustomEvent("employer:cleared", { bubbles: true }));
    }

    function pick(index) {
      var item = results[index];
      if (!item) return;
      input.value = item.name;
      if (item.cloud) {
        picked = item;
        Object.keys(fill).forEach(function (key) {
          setField(key, key === "employer_id" ? item.id : item[key]);
        });
        lock(true);
        showPicked(item.name);
      }
      input.dispatchEvent(new CustomEvent("employer:picked", { bubbles: true, detail: item }));
      close();
    }

    unpick.addEventListener("click", function () { clearPicked(false); input.focus(); });

    // A page that comes back with an entry already picked (editing a draft, a form error).
    var hidden = target("employer_id");
    if (hidden && hidden.value) {
      picked = { id: hidden.value, name: input.value };
      lock(true);
      showPicked(input.value);
    }

    function search() {
      var query = input.value.trim();
      if (controller) controller.abort();
      if (!query) { results = []; close(); return; }
      controller = window.AbortController ? new AbortController() : null;
      var href = url + "?q=" + encodeURIComponent(query) + "&limit=" + encodeURIComponent(limit);
      fetch(href, { credentials: "same-origin", signal: controller ? controller.signal : undefined,
                    headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (input.value.trim() !== query) return; // a newer keystroke is on its way
          results = data.results || [];
          render(query);
        })
        .catch(function () { /* aborted or offline: the graduate can still type the details */ });
    }

    function schedule() {
      if (picked && input.value !== picked.name) clearPicked(true);
      clearTimeout(timer);
      timer = setTimeout(search, DELAY);
    }

    input.addEventListener("compositionstart", function () { composing = true; });
    input.addEventListener("compositionend", function () { composing = false; schedule(); });
    input.addEventListener("input", function (event) {
      if (composing || event.isComposing) return; // wait for the IME to commit the characters
      schedule();
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      var count = results.length;
      if (event.key === "ArrowDown" && count) { event.preventDefault(); highlight((active + 1) % count); }
      else if (event.key === "ArrowUp" && count) { event.preventDefault(); highlight((active - 1 + count) % count); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); pick(active); }
      else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function init(root) {
    (root || document).querySelectorAll("input[data-employer-autocomplete]").forEach(attach);
  }

  window.EmployerAutocomplete = { init: init, attach: attach };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(); });
  else init();
})();
