/** `sg.io`: PyTorch checkpoints (zip and legacy), safetensors, training checkpoints. */
export {};
