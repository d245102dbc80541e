// The hotline screen (/intake): FAQ suggestions while the operator types the fault, and a key to
// link one of them to the case (Alt+1, Alt+2, Alt+3, or the suggestion's button). Without this
// file the screen still opens cases; it only lacks the suggestions.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.intake-form");
  const box = document.getElementById("faq-suggest");
  if (!form || !box) return;
  const subject = form.querySelector("[name=subject]");
  const description = form.querySelector("[name=description]");
  const chosen = form.querySelector("[name=faq_article]");
  const chosenLabel = document.getElementById("faq-chosen");
  let timer = null;
  let asked = "";

  const suggest = async () => {
    const q = `${subject.value} ${description.value}`.trim();
    if (!q || q === asked) return;
    asked = q;
    const response = await fetch(`${box.dataset.url}?${new URLSearchParams({ q })}`, {
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
    });
    if (response.ok && asked === q) {
      box.innerHTML = await response.text();
      mark();
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 400);
  };
  subject.addEventListener("input", later);
  description.addEventListener("input", later);

  const mark = () => {
    box.querySelectorAll("li[data-article-id]").forEach((item) => {
      item.classList.toggle("fw-semibold", item.dataset.articleId === chosen.value);
    });
  };
  const choose = (item) => {
    chosen.value = item.dataset.articleId;
    const link = item.querySelector("a");
    if (chosenLabel) chosenLabel.textContent = link ? link.textContent : chosen.value;
    mark();
  };
  box.addEventListener("click", (event) => {
    const button = event.target.closest(".faq-link-case");
    if (button) choose(button.closest("li[data-article-id]"));
  });
  document.addEventListener("keydown", (event) => {
    if (!event.altKey || !["1", "2", "3"].includes(event.key)) return;
    const item = box.querySelectorAll("li[data-article-id]")[Number(event.key) - 1];
    if (item) {
      event.preventDefault();
      choose(item);
    }
  });
});
