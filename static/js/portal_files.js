// Portal attachments: name a file the server would refuse (empty, too large, too many) as soon
// as it is chosen, and keep the form from being sent until it is fixed. A form sent back with
// an error cannot give the chosen files back, so catching it here is what loses nothing.
// "Leave out" drops one file and keeps the others chosen.
(function () {
  "use strict";

  function mb(bytes) {
    const value = bytes / 1048576;
    return (value >= 10 || value === Math.round(value) ? value.toFixed(0) : value.toFixed(1)) + " MB";
  }

  function problems(input) {
    const maxBytes = Number(input.dataset.maxBytes);
    const maxFiles = Number(input.dataset.maxFiles);
    const found = [];
    if (maxFiles && input.files.length > maxFiles) {
      found.push({ text: "Attach at most " + maxFiles + " files at once; " + input.files.length + " are chosen." });
    }
    for (const file of input.files) {
      if (file.size === 0) {
        found.push({
          file: file,
          text: "“" + file.name + "” is empty (0 bytes): leave it out, or choose it again once it has been saved with its content.",
        });
      } else if (maxBytes && file.size > maxBytes) {
        found.push({
          file: file,
          text: "“" + file.name + "” is " + mb(file.size) + "; each file may be at most " + mb(maxBytes) + ".",
        });
      }
    }
    return found;
  }

  function leaveOut(input, file) {
    const kept = new DataTransfer();
    for (const chosen of input.files) {
      if (chosen !== file) kept.items.add(chosen);
    }
    input.files = kept.files;
    check(input);
    input.focus();
  }

  function check(input) {
    const found = problems(input);
    let list = input.parentElement.querySelector(".file-problems");
    if (!list) {
      list = document.createElement("ul");
      list.className = "errorlist file-problems";
      list.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", list);
    }
    list.replaceChildren();
    for (const problem of found) {
      const item = document.createElement("li");
      item.append(problem.text + " ");
      if (problem.file) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-sm";
        button.textContent = "Leave out “" + problem.file.name + "”";
        button.addEventListener("click", function () { leaveOut(input, problem.file); });
        item.append(button);
      }
      list.append(item);
    }
    list.hidden = found.length === 0;
    // The browser itself then refuses to send the form (plain or htmx) and says why.
    input.setCustomValidity(found.map(function (p) { return p.text; }).join(" "));
    const field = input.closest(".field");
    if (field) field.classList.toggle("has-error", found.length > 0);
  }

  document.addEventListener("change", function (event) {
    const target = event.target;
    if (target instanceof HTMLInputElement && target.type === "file" && target.dataset.maxBytes) {
      check(target);
    }
  });
})();
