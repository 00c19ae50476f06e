import Foundation

/// The style sheet and script inlined in every index.html, and the Content Security Policy that
/// lets only them run: the page makes no request (`default-src 'none'`), and a script or style that
/// a hostile record might smuggle in past the escaping would not match their hashes.
enum DashboardAssets {
    /// `<meta http-equiv="Content-Security-Policy">` content (CSP Level 3 §2.3: hash sources).
    static let contentSecurityPolicy =
        "default-src 'none'; img-src data:; style-src '\(hash(style))'; script-src '\(hash(script))'; base-uri 'none'; form-action 'none'"

    /// The start of a self-contained page up to `<body>`: its policy, `title` (already escaped) and
    /// inline `style`.
    static func pageStart(title: String, policy: String, style: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="\(policy)">
        <title>\(title)</title>
        <style>\(style)</style>
        </head>
        <body>

        """
    }

    /// A CSP hash source for `text` (an inline style or script, exactly as between its tags).
    static func hash(_ text: String) -> String {
        "sha256-" + Data(SHA256.digest(Array(text.utf8))).base64EncodedString()
    }

    /// AA contrast throughout (4.5:1 for text): each status has its own word and symbol, colour only adds.
    static let style = """
        :root{color-scheme:light;--ink:#1b1b1b;--muted:#4a4a4a;--line:#c8c8c8;--bg:#ffffff;--panel:#f4f5f7;--link:#0b4f9c}
        *{box-sizing:border-box}
        body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
        header,main{max-width:1280px;margin:0 auto;padding:0 16px}
        header{padding-top:16px}
        h1{font-size:1.5rem;margin:.2em 0}
        h2{font-size:1.2rem;margin:1.4em 0 .5em;border-bottom:1px solid var(--line);padding-bottom:.2em}
        h3{font-size:1rem;margin:1em 0 .3em}
        a{color:var(--link)}
        code,pre{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.9em}
        pre{white-space:pre-wrap;word-break:break-all;background:var(--panel);padding:6px 8px;border:1px solid var(--line);margin:.3em 0}
        .meta{color:var(--muted);margin:.2em 0}
        .cards{display:flex;flex-wrap:wrap;gap:12px;list-style:none;padding:0;margin:12px 0}
        .cards li{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:9em;background:var(--panel)}
        .cards .n{display:block;font-size:1.6rem;font-weight:700}
        .st{display:inline-block;padding:0 .45em;border-radius:4px;border:1px solid;white-space:nowrap;font-weight:600}
        .st-compliant{color:#0b5323;background:#e3f3e8;border-color:#0b5323}
        .st-noncompliant{color:#8b1111;background:#fde7e7;border-color:#8b1111}
        .st-unknown{color:#5a4300;background:#fff3cf;border-color:#5a4300}
        .sev-error{color:#8b1111;font-weight:600}.sev-warning{color:#5a4300;font-weight:600}.sev-info{color:var(--muted)}
        .changes li{margin:.2em 0}
        .controls{display:flex;flex-wrap:wrap;gap:12px;align-items:end;margin:8px 0}
        .controls label{display:flex;flex-direction:column;font-size:.9em;color:var(--muted)}
        .controls input,.controls select{font:inherit;padding:4px 6px;border:1px solid #767676;border-radius:4px;color:var(--ink);background:#fff}
        .controls input{min-width:18em}
        table{border-collapse:collapse;width:100%}
        th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
        thead th{background:var(--panel);position:sticky;top:0}
        th[scope=row]{font-weight:400}
        th button{font:inherit;font-weight:700;background:none;border:0;padding:0;cursor:pointer;color:var(--ink);white-space:nowrap}
        th button::after{content:" \\2195";color:var(--muted)}
        th[aria-sort=ascending] button::after{content:" \\2191"}
        th[aria-sort=descending] button::after{content:" \\2193"}
        .id{color:var(--muted);font-size:.9em}
        td.num{text-align:right}
        details{border:1px solid var(--line);border-radius:6px;margin:6px 0;padding:4px 10px}
        details[open]{background:#fcfcfd}
        summary{cursor:pointer;padding:2px 0}
        .strip{font-family:ui-monospace,"DejaVu Sans Mono",monospace;letter-spacing:1px}
        .h-compliant{color:#0b5323}.h-noncompliant{color:#8b1111}.h-unknown{color:#5a4300}
        .inbox-pass{color:#0b5323}.inbox-fail{color:#8b1111;font-weight:600}.inbox-unknown{color:#5a4300;font-weight:600}.inbox-not_observable{color:var(--muted)}
        .small{font-size:.9em;color:var(--muted)}
        .visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
        [hidden]{display:none!important}
        @media print{
          body{font-size:10pt}
          .controls,th button::after{display:none}
          thead th{position:static}
          a{color:inherit;text-decoration:none}
          details{break-inside:avoid;border:0;padding:0}
          tr{break-inside:avoid}
          h2{break-after:avoid}
        }
        """

    /// Sorting, filtering and opening an institution from its link; the page works without it.
    static let script = """
        (function(){
        "use strict";
        var table=document.getElementById("matrix");if(!table)return;
        var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
        var details={};Array.prototype.forEach.call(document.querySelectorAll("details.institution"),function(d){details[d.id]=d;});
        var data=rows.map(function(r){return{row:r,status:r.getAttribute("data-status"),method:r.getAttribute("data-method"),text:(r.getAttribute("data-search")||"").toLowerCase(),detail:details["i-"+r.getAttribute("data-id")]};});
        var controls=document.getElementById("controls"),q=document.getElementById("filter-text"),s=document.getElementById("filter-status"),m=document.getElementById("filter-method"),shown=document.getElementById("shown");
        controls.hidden=false;
        function filter(){
          var words=q.value.toLowerCase().split(/\\s+/).filter(Boolean),st=s.value,me=m.value,n=0;
          for(var i=0;i<data.length;i++){var d=data[i],ok=(!st||d.status===st)&&(!me||d.method===me);
            for(var w=0;ok&&w<words.length;w++){if(d.text.indexOf(words[w])<0)ok=false;}
            d.row.hidden=!ok;if(d.detail)d.detail.hidden=!ok;if(ok)n++;}
          shown.textContent=n+" of "+data.length+" institutions shown";
        }
        q.addEventListener("input",filter);s.addEventListener("change",filter);m.addEventListener("change",filter);
        var heads=table.tHead.rows[0].cells;
        Array.prototype.forEach.call(heads,function(th,col){
          var b=th.querySelector("button");if(!b)return;
          b.addEventListener("click",function(){
            var dir=th.getAttribute("aria-sort")==="ascending"?"descending":"ascending";
            Array.prototype.forEach.call(heads,function(h){h.removeAttribute("aria-sort");});
            th.setAttribute("aria-sort",dir);
            var numeric=th.getAttribute("data-type")==="number",sign=dir==="ascending"?1:-1;
            var keyed=data.map(function(d,i){var c=d.row.cells[col],k=c.getAttribute("data-sort");if(k===null)k=c.textContent.trim();return{d:d,k:numeric?parseFloat(k):k.toLowerCase(),i:i};});
            keyed.sort(function(a,b){if(numeric){var x=isNaN(a.k)?-1:a.k,y=isNaN(b.k)?-1:b.k;if(x!==y)return(x-y)*sign;}else if(a.k!==b.k)return(a.k<b.k?-1:1)*sign;return a.i-b.i;});
            var f=document.createDocumentFragment();keyed.forEach(function(e){f.appendChild(e.d.row);});body.appendChild(f);
            data=keyed.map(function(e){return e.d;});
          });
        });
        function openTarget(){var id=decodeURIComponent(location.hash.slice(1));var d=details[id];if(d){d.hidden=false;d.open=true;}}
        window.addEventListener("hashchange",openTarget);openTarget();
        var closed=[];
        window.addEventListener("beforeprint",function(){closed=[];for(var id in details){if(!details[id].open){closed.push(details[id]);details[id].open=true;}}});
        window.addEventListener("afterprint",function(){closed.forEach(function(d){d.open=false;});closed=[];});
        filter();
        })();
        """
}
