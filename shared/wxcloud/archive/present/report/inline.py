"""What the report page carries inside itself: its style sheet, its one script, ECharts, the charts' options.

The page loads nothing (it travels as a mail attachment and opens with no network), so all of it
is inlined: ECharts from this package's vendored file (``echarts_source``), and each chart's
option as JSON that is safe inside a script element (``options_json``: every number finite, the
characters that could end the element or a line escaped).
"""

from __future__ import annotations

import json
import math
from importlib import resources
from typing import Any

ECHARTS = "echarts.min.js"

STYLE = """
:root{--fg:#1f2329;--muted:#646a73;--line:#e5e6eb;--bg:#f5f6f7;--card:#fff;--up:#07c160;--down:#f54a45}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 -apple-system,"PingFang SC",
"Microsoft YaHei","Noto Sans CJK SC",sans-serif}header,main,footer{max-width:1100px;margin:0 auto;padding:12px}
header h1{font-size:20px;margin:8px 0 0}header p{margin:2px 0;color:var(--muted)}
section{background:var(--card);border-radius:8px;padding:12px 16px;margin:12px 0}section h2{font-size:17px;margin:4px \
0 12px}
h3{font-size:14px;margin:12px 0 4px;color:var(--muted);font-weight:600}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px}
.kpi{border:1px solid var(--line);border-radius:6px;padding:8px 10px}.kpi .name{color:var(--muted);font-size:13px}
.kpi .value{font-size:22px;font-weight:600}.kpi ul{list-style:none;margin:4px 0 0;padding:0;font-size:12px;\
color:var(--muted)}
.up{color:var(--up)}.down{color:var(--down)}
body{overflow-wrap:anywhere}.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:12px}
.grid>*{min-width:0}.grid.wide{grid-template-columns:repeat(auto-fit,minmax(520px,1fr))}
.chart{width:100%;height:320px}.note{color:var(--muted);font-size:12px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:4px 6px;border-bottom:1px solid var(--line);\
text-align:right}
table{overflow-wrap:normal}th,td{white-space:nowrap}th:first-child,td:first-child{text-align:left;white-space:normal;overflow-wrap:break-word;min-width:10em}.scroll{overflow-x:auto;max-width:100%}
.scale{display:flex;align-items:center;gap:6px;font-size:12px;color:var(--muted);margin:2px 0 8px}
.scale i{display:inline-block;width:120px;height:10px;border-radius:2px}
.scale b{display:inline-block;width:18px;height:10px;border-radius:2px;background:#eceef1;margin-left:12px}
.spans{display:flex;gap:6px;flex-wrap:wrap;margin:0 0 8px}
.spans button{font:inherit;font-size:13px;padding:3px 12px;border:1px solid var(--line);
border-radius:14px;background:var(--card);color:var(--fg);cursor:pointer}
.spans button[aria-pressed=true]{background:var(--fg);color:#fff;border-color:var(--fg)}
[data-span-panel][hidden]{display:none}
footer{color:var(--muted);font-size:12px}footer dl{display:grid;grid-template-columns:max-content minmax(0,1fr);\
gap:2px 12px}
footer dd{margin:0}@media (max-width:600px){header,main,footer{padding:8px}section{padding:10px 12px}
.grid,.grid.wide{grid-template-columns:1fr}.chart{height:260px}.kpi .value{font-size:18px}.retention-day \
.chart{min-width:640px}}
"""

# Hands each chart's option to ECharts, resizes them with the window, and switches the portrait's
# span: the page's only script. Each chart on its own: one that fails is logged and the others are
# still drawn. What JSON cannot say is filled in here, by markers in the options: "@compact" (a
# value axis's labels in 万/亿 or k/M, so long numbers never run together), "@share" (a pie's
# legend: each name with its share, instead of labels around the pie that a narrow chart cuts), and
# "@name" (a category axis's label width: a third of the chart, so the bars keep their room).
BOOT = """
(function(){var options=JSON.parse(document.getElementById('chart-options').textContent);
var zh=document.documentElement.lang==='zh';var locale=zh?'ZH':'EN';var charts={};
function trim(v){return String(+v.toFixed(2));}
function compact(v){var a=Math.abs(v);if(zh){if(a>=1e8){return trim(v/1e8)+'亿';}if(a>=1e4){return trim(v/1e4)+'万';}\
return trim(v);}
if(a>=1e9){return trim(v/1e9)+'B';}if(a>=1e6){return trim(v/1e6)+'M';}if(a>=1e3){return trim(v/1e3)+'k';}return \
trim(v);}
function prepare(option,el){var o=JSON.parse(JSON.stringify(option));var width=el.clientWidth;
(function walk(node){if(!node||typeof node!=='object'){return;}Object.keys(node).forEach(function(k){var v=node[k];
if(v==='@compact'){node[k]=compact;}else if(v==='@name'){node[k]=Math.max(64,Math.round(width/3));}
else if(v==='@share'){var data=o.series[0].data;var total=data.reduce(function(t,d){return t+(d.value||0);},0);
node[k]=function(name){var d=data.filter(function(d){return d.name===name;})[0];
return name+'  '+(d&&total?(d.value/total*100).toFixed(1)+'%':'');};}else{walk(v);}});})(o);return o;}
function draw(el){var id=el.dataset.chart;try{var c=echarts.init(el,null,{locale:locale});\
c.setOption(prepare(options[id],el));
charts[id]=c;}catch(e){console.error('chart '+id+': '+e);}}
function resize(el){var c=charts[el.dataset.chart];if(c&&el.clientWidth>0){c.resize();\
c.setOption(prepare(options[el.dataset.chart],el));}}
document.querySelectorAll('[data-chart]').forEach(draw);
document.querySelectorAll('[data-spans]').forEach(function(bar){var buttons=bar.querySelectorAll('button');
function show(span){buttons.forEach(function(b){b.setAttribute('aria-pressed',String(b.dataset.span===span));});
document.querySelectorAll('[data-span-panel]').forEach(function(p){p.hidden=p.dataset.spanPanel!==span;
if(!p.hidden){p.querySelectorAll('[data-chart]').forEach(resize);}});}
buttons.forEach(function(b){b.addEventListener('click',function(){show(b.dataset.span);});});show(bar.dataset.spans);});
window.addEventListener('resize',function(){document.querySelectorAll('[data-chart]').forEach(resize);});})();
"""
# Characters escaped in the inline JSON: none of them can then open or close an element or a
# comment inside the script element, and U+2028/U+2029 end no line of any script that reads it.
JSON_ESCAPES = {ord(char): f"\\u{ord(char):04x}" for char in "<>&\u2028\u2029"}


def echarts_source() -> str:
    return resources.files(__package__).joinpath(ECHARTS).read_text(encoding="utf-8")


def finite(value: Any) -> Any:
    """``value`` with every number JSON cannot carry (NaN, Infinity) or JavaScript cannot hold
    (an int beyond a float) made null: the last guard, whatever the sections computed."""
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(item) for item in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return value if math.isfinite(float(value)) else None
        except OverflowError:
            return None
    return value


def options_json(options: dict[str, Any]) -> str:
    """The charts' options as JSON that is safe inside ``<script type="application/json">``."""
    dumped = json.dumps(finite(options), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return dumped.translate(JSON_ESCAPES)
