// Seek buttons: jump the call's audio player to a finding's or a turn's time.
document.addEventListener("click", function (ev) {
  var b = ev.target.closest("button.seek");
  if (!b) return;
  var p = document.getElementById("player");
  if (!p) return;
  var t = parseFloat(b.getAttribute("data-t"));
  if (isNaN(t)) return;
  p.currentTime = t;
  var r = p.play();
  if (r && r.catch) r.catch(function () {});
  document.querySelectorAll("button.seek.active").forEach(function (x) { x.classList.remove("active"); });
  b.classList.add("active");
});
// Dismiss needs a reason: the browser's required attribute does it; keep focus helpful.
document.addEventListener("invalid", function (ev) {
  if (ev.target.name === "reason") ev.target.setCustomValidity("请填写理由");
}, true);
document.addEventListener("input", function (ev) {
  if (ev.target.name === "reason") ev.target.setCustomValidity("");
});
