// Package layout holds no code: its tests hold the repository to its layout,
// what may be tracked (no build output, no large files) and what .gitignore
// must cover (every binary a documented command writes).
package layout
