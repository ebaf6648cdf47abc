from .sot_data_preprocessor import (SOTDataPreprocessor,
                                    build_data_preprocessor)

__all__ = ['SOTDataPreprocessor', 'build_data_preprocessor']
