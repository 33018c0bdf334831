// chart.js's UMD build, inlined before the client script, defines this global.
declare const Chart: typeof import('chart.js').Chart;
