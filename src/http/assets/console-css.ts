/** The console's one style sheet. Colours hold WCAG AA contrast on white; focus is always visible. */
export const CONSOLE_CSS = `*{box-sizing:border-box}
html{font:16px/1.5 system-ui,"DejaVu Sans",sans-serif;color:#1b1b1b;background:#fff}
body{margin:0}
a{color:#0a4fa8}a:hover{color:#06356f}
:focus-visible{outline:3px solid #b35c00;outline-offset:2px}
.skip{position:absolute;left:-10000px;top:0;background:#fff;padding:.5rem 1rem;z-index:2}
.skip:focus{left:.5rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
header{background:#1f3347;color:#fff}
header .bar{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;max-width:80rem;margin:0 auto;padding:.6rem 1rem}
header a{color:#fff}header a:hover{color:#dbe8f5}
.brand{font-weight:700;font-size:1.2rem;text-decoration:none}
header nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0;padding:0}
header nav a{text-decoration:none;padding:.2rem 0;border-bottom:3px solid transparent}
header nav a[aria-current=page]{border-bottom-color:#f5b942}
.tools{margin-left:auto;display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem}
.logout{display:flex;align-items:center;gap:.5rem;margin:0}
.logout button{background:transparent;color:#fff;border:1px solid #fff}
main{max-width:80rem;margin:0 auto;padding:1rem}
main:focus{outline:none}
h1{font-size:1.6rem;margin:.5rem 0 1rem}h2{font-size:1.25rem;margin:1.8rem 0 .5rem}
footer{max-width:80rem;margin:2rem auto;padding:0 1rem;color:#555;font-size:.9rem}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:.3rem 0 1rem}
th,td{border-bottom:1px solid #d9d9d9;padding:.4rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f4f7;font-weight:600}.num{text-align:right;white-space:nowrap}
code{font:.85rem/1.35 ui-monospace,"DejaVu Sans Mono",monospace;overflow-wrap:anywhere}
.notice{padding:.7rem 1rem;border-radius:.3rem;border-left:.4rem solid}
.notice.ok{background:#eaf6ec;border-color:#1d7a35}.notice.bad{background:#fdecea;border-color:#b3261e}
.tiles{display:flex;flex-wrap:wrap;gap:.7rem;margin:.5rem 0 1rem;padding:0;list-style:none}
.tiles li{border:1px solid #ccd3db;border-radius:.4rem;padding:.5rem .9rem;min-width:10rem}
.tiles b{display:block;font-size:1.4rem}.tiles .bad{border-color:#b3261e}.tiles .bad b{color:#b3261e}
.tiles .warn{border-color:#8a4f00}.tiles .warn b{color:#8a4f00}
.st-ok{color:#1d7a35;font-weight:600}.st-bad{color:#b3261e;font-weight:600}.st-warn{color:#8a4f00;font-weight:600}
dl.fields{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:.5rem 0 1rem}
dl.fields dt{font-weight:600}dl.fields dd{margin:0}
form.inline{display:inline}
form.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.6rem 1rem;align-items:end}
form.grid .wide{grid-column:1/-1}
fieldset{border:1px solid #ccd3db;border-radius:.4rem;padding:.8rem 1rem 1rem;margin:0 0 1rem}
legend{font-weight:600;padding:0 .3rem}
label{display:block;font-weight:600;margin-bottom:.2rem}
.hint{display:block;color:#4a4a4a;font-size:.9rem}
input,select,button{font:inherit}
input[type=text],input[type=search],input[type=password],input[type=date],input:not([type]),select{width:100%;padding:.35rem .5rem;border:1px solid #6b7785;border-radius:.25rem}
input[aria-invalid=true]{border:2px solid #b3261e}
.field-error{display:block;color:#b3261e;font-weight:600;font-size:.95rem}
button{padding:.35rem .9rem;border:1px solid #0a4fa8;border-radius:.25rem;background:#0a4fa8;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0a4fa8}
a.button{display:inline-block;padding:.35rem .9rem;border:1px solid #0a4fa8;border-radius:.25rem;background:#0a4fa8;color:#fff;text-decoration:none}
a.button:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}
button.danger{background:#b3261e;border-color:#b3261e}
.error-summary{border:3px solid #b3261e;padding:.6rem 1rem;margin-bottom:1rem}
.error-summary:focus{outline:3px solid #b35c00}
progress{width:min(30rem,100%);height:1.2rem}
.login{max-width:22rem}
iframe.report{width:100%;height:75vh;border:1px solid #ccd3db}
.actions{display:flex;flex-wrap:wrap;gap:.4rem}
`;
