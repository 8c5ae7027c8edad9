"""The web shell: base layout, navigation, static assets, the home dashboard."""
