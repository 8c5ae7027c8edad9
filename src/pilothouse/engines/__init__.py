"""Pure-Python analytic engines (scoring, forecasting, statistics, text). No Django here."""
