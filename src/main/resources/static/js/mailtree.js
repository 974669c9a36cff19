// Asks before destructive form submissions marked with data-confirm (no inline scripts: the CSP forbids them).
document.addEventListener('submit', function (event) {
    var message = event.target.getAttribute('data-confirm');
    if (message && !window.confirm(message)) {
        event.preventDefault();
    }
}, true);

// A checkbox with data-check-all="name" ticks or clears every enabled checkbox of that name in its form.
document.addEventListener('change', function (event) {
    var name = event.target.getAttribute && event.target.getAttribute('data-check-all');
    if (!name) {
        return;
    }
    var scope = event.target.form || document;
    scope.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        if (!box.disabled) {
            box.checked = event.target.checked;
        }
    });
});
