// Roster: progressive enhancement only; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // After a submit: focus goes to the first error summary (GOV.UK pattern), or else to the
  // status messages, so a screen reader reads what happened once. Without this file the
  // summary's autofocus attribute does the first, and both sit at the top of the content.
  const summary = document.querySelector("[data-error-summary]");
  const messages = document.querySelector("[data-messages]");
  (summary || messages)?.focus();
  // A summary link moves focus to its field and shows the field's label or legend with it.
  document.querySelectorAll("[data-error-summary] a[href^='#']").forEach((link) => {
    link.addEventListener("click", (event) => {
      const field = document.getElementById(link.hash.slice(1));
      if (!field) return;
      event.preventDefault();
      const label = field.closest("fieldset")?.querySelector("legend")
        || document.querySelector(`label[for="${field.id}"]`);
      (label || field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  });
  // "Select all" checkboxes for bulk actions: <input type="checkbox" data-select-all="name">
  document.querySelectorAll("[data-select-all]").forEach((box) => {
    box.addEventListener("change", () => {
      document
        .querySelectorAll(`input[type=checkbox][name="${box.dataset.selectAll}"]`)
        .forEach((item) => { item.checked = box.checked; });
    });
  });
  // Forms that ask before a destructive submit: <form data-confirm="Are you sure?">
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
